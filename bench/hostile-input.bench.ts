/**
 * Hostile input against the real server, in a child process whose peak RSS (VmHWM) is read from /proc:
 * - one 200 MB unauthenticated webhook body (chunked, no Content-Length, wrong signature);
 * - 20 parallel signed 25 MB webhook bodies (GitHub's maximum);
 * - /healthz latency while a pathological model is analysed in the server process (on its main
 *   thread, as the job worker runs analyses today).
 *
 *   npx tsx bench/hostile-input.bench.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { analyzeFile } from "../src/core/lineage/analyze-file.js";
import { readHttpLimits } from "../src/server/read-server-env.js";
import { startServer } from "../src/server/start-server.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { Figure } from "./figure.js";

const THIS_FILE = fileURLToPath(import.meta.url);
const SECRET = "bench-webhook-secret";
const MB = 1024 * 1024;

/** The worst models the limits still let through: Jinja that spends its whole budget, and 2 MiB of SQL. */
const PATHOLOGICAL: Record<string, string> = {
  jinja:
    "select 1 as a\n{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}{% endfor %}{% endfor %}{% endfor %}",
  sql: Array.from({ length: 45_000 }, (_, i) => `insert into t${i % 50} select a${i}, b from s${i};\n`).join(
    "",
  ),
};

/** Child mode: the real server (no worker), and an `analyze <kind>` command on stdin. */
async function serve(): Promise<void> {
  const store = openSqliteStore(":memory:");
  const running = await startServer({
    settings: {
      appId: 1,
      privateKey: generateKeyPairSync("rsa", {
        modulusLength: 2048,
        privateKeyEncoding: { type: "pkcs1", format: "pem" },
        publicKeyEncoding: { type: "spki", format: "pem" },
      }).privateKey,
      webhookSecret: SECRET,
      port: 0,
      host: "127.0.0.1",
      webhookPath: undefined,
      databaseUrl: undefined,
      logLevel: "silent",
      dryRun: true,
      retentionDays: 90,
      limits: readHttpLimits(process.env),
    },
    store,
    log: pino({ level: "silent" }),
    worker: false,
  });
  process.stdout.write(`${running.port}\n`);
  process.stdin.on("data", (data: Buffer) => {
    const kind = data.toString().trim().split(" ")[1] ?? "sql";
    // Let the answer go out before the event loop is taken.
    setTimeout(() => {
      const started = performance.now();
      analyzeFile({
        path: "models/pathological.sql",
        text: PATHOLOGICAL[kind] ?? "",
        dialect: "postgres",
        role: { kind: "plain", modelName: "pathological" },
        key: kind,
      });
      process.stdout.write(`analyzed ${Math.round(performance.now() - started)}\n`);
    }, 50);
  });
}

function vm(pid: number, field: "VmHWM" | "VmRSS"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

async function startChild(): Promise<{ child: ChildProcess; port: number; lines: string[] }> {
  const child = spawn(process.execPath, ["--import", "tsx", THIS_FILE, "serve"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
  });
  while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  return { child, port: Number(lines.shift()), lines };
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  if (child.exitCode === null) await once(child, "exit");
}

/** Streams `bytes` as a chunked webhook body; resolves with the status the server answered (0: none). */
async function sendChunked(port: number, bytes: number, signature: string): Promise<number> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.on("error", () => {});
  let status = 0;
  socket.once("data", (data: Buffer) => {
    status = Number(/^HTTP\/1\.1 (\d+)/.exec(data.toString())?.[1] ?? 0);
  });
  socket.write(
    `POST /api/github/webhooks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-github-event: ping\r\nx-github-delivery: bench\r\nx-hub-signature-256: ${signature}\r\ntransfer-encoding: chunked\r\n\r\n`,
  );
  const chunk = Buffer.alloc(MB, 0x20);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
  const closed = once(socket, "close");
  for (let sent = 0; sent < bytes && status === 0 && !socket.destroyed; sent += MB) {
    if (!socket.write(frame)) await Promise.race([once(socket, "drain"), closed]);
  }
  if (!socket.destroyed) socket.write("0\r\n\r\n");
  const deadline = Date.now() + 10_000;
  while (status === 0 && !socket.destroyed && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  socket.destroy();
  return status;
}

export async function unauthenticated200Mb(): Promise<Figure[]> {
  const { child, port } = await startChild();
  const pid = child.pid ?? 0;
  const before = vm(pid, "VmHWM");
  const started = performance.now();
  const status = await sendChunked(port, 200 * MB, `sha256=${"0".repeat(64)}`);
  const ms = Math.round(performance.now() - started);
  const peak = vm(pid, "VmHWM");
  await stopChild(child);
  return [
    { name: "webhook_200mb_unauthenticated_status", value: status, unit: "http status" },
    { name: "webhook_200mb_unauthenticated_answer_ms", value: ms, unit: "ms" },
    { name: "webhook_200mb_unauthenticated_rss_before_mb", value: before, unit: "MB" },
    { name: "webhook_200mb_unauthenticated_peak_rss_mb", value: peak, unit: "MB" },
  ];
}

export async function parallelSigned25Mb(count = 20): Promise<Figure[]> {
  const { child, port } = await startChild();
  const pid = child.pid ?? 0;
  const before = vm(pid, "VmHWM");
  const padding = 25 * MB - 200;
  const body = Buffer.from(`{"zen":"bench","hook_id":1,"padding":"${"x".repeat(padding)}"}`);
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const failures: string[] = [];
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: count }, () =>
      fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "ping",
          "x-github-delivery": "bench",
          "x-hub-signature-256": signature,
        },
        body,
      }).then(
        (r) => r.status,
        (error: { cause?: { code?: string } }) => {
          failures.push(error.cause?.code ?? "fetch failed");
          return 0;
        },
      ),
    ),
  );
  const ms = Math.round(performance.now() - started);
  const peak = vm(pid, "VmHWM");
  await stopChild(child);
  return [
    {
      name: `webhook_${count}x25mb_signed_accepted`,
      value: statuses.filter((s) => s === 200).length,
      unit: "requests",
    },
    {
      name: `webhook_${count}x25mb_signed_failed`,
      value: failures.length,
      unit: [...new Set(failures)].join(",") || "requests",
    },
    { name: `webhook_${count}x25mb_signed_ms`, value: ms, unit: "ms" },
    { name: `webhook_${count}x25mb_signed_rss_before_mb`, value: before, unit: "MB" },
    { name: `webhook_${count}x25mb_signed_peak_rss_mb`, value: peak, unit: "MB" },
  ];
}

export async function healthzDuringAnalysis(kind: string): Promise<Figure[]> {
  const { child, port, lines } = await startChild();
  const latencies: number[] = [];
  const poll = async (until: () => boolean) => {
    while (!until()) {
      const started = performance.now();
      await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.text());
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await poll(() => latencies.length >= 10);
  const baseline = Math.max(...latencies);
  latencies.length = 0;
  child.stdin?.write(`analyze ${kind}\n`);
  await poll(() => lines.some((l) => l.startsWith("analyzed")));
  const analysisMs = Number(lines.find((l) => l.startsWith("analyzed"))?.split(" ")[1]);
  await stopChild(child);
  return [
    { name: `healthz_during_${kind}_analysis_max_ms`, value: Math.round(Math.max(...latencies)), unit: "ms" },
    { name: `healthz_idle_max_ms`, value: Math.round(baseline), unit: "ms" },
    { name: `pathological_${kind}_analysis_ms`, value: analysisMs, unit: "ms (main thread)" },
  ];
}

/** Every figure above, one child server per scenario so each peak RSS is its own. */
export async function hostileInputBench(): Promise<Figure[]> {
  return [
    ...(await unauthenticated200Mb()),
    ...(await parallelSigned25Mb(Number(process.env.BENCH_PARALLEL_BODIES ?? 20))),
    ...(await healthzDuringAnalysis("jinja")),
    ...(await healthzDuringAnalysis("sql")),
  ];
}

if (process.argv[2] === "serve") await serve();
else if (process.argv[1] === THIS_FILE)
  for (const figure of await hostileInputBench()) process.stdout.write(`${JSON.stringify(figure)}\n`);
