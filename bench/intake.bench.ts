/**
 * Signal intake under load: the intake runs in a child process on a temp SQLite file; this process
 * sends signed canonical signals at a target rate (keep-alive agent, bounded concurrency) and prints
 * one JSON line per figure: achieved rps, p50/p99 latency of the 202, and store growth per 1 M signals.
 *
 *   npx tsx bench/intake.bench.ts            # 30 s at 500 req/s
 *   BENCH_INTAKE_SECONDS=5 BENCH_INTAKE_RPS=1000 npx tsx bench/intake.bench.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { createSignalIntake } from "../src/server/signals/intake-handler.js";
import { parseSignalSources } from "../src/server/signals/sources-config.js";
import { signStandardWebhook } from "../src/server/signals/verify-standard-webhook.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";

export type BenchLine = { readonly name: string; readonly value: number; readonly unit: string };

const THIS_FILE = fileURLToPath(import.meta.url);
const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const SOURCES = JSON.stringify({ sources: [{ id: "bench", secrets: [SECRET], repos: ["acme/shop"] }] });

/** Child mode: serve the intake on the given file and print the port; exit cleanly on SIGTERM. */
function serve(dbPath: string, sources: string): void {
  const store = openSqliteStore(dbPath);
  const handle = createSignalIntake({
    store,
    sources: parseSignalSources(sources, "bench"),
    clock: () => new Date(),
    log: { info: () => {}, warn: () => {}, error: (fields, message) => console.error(message, fields) },
  });
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  // Server CPU time is the figure that survives a noisy machine: SIGUSR2 marks the start of the
  // measured window, SIGTERM reports the CPU used since then and exits.
  let baseline = process.cpuUsage();
  process.on("SIGUSR2", () => {
    baseline = process.cpuUsage();
  });
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    const { user, system } = process.cpuUsage(baseline);
    process.stdout.write(`${JSON.stringify({ cpuMs: (user + system) / 1000 })}\n`);
    void store.close().then(() => process.exit(0));
  });
}

function signalBody(i: number): string {
  return JSON.stringify({
    type: "metric_breach",
    severity: "warning",
    dataset: { name: `analytics.table_${i % 50}` },
    column: `column_${i % 7}`,
    measurement: { metric: "nullValues", value: (i % 100) / 1000, unit: "ratio" },
    message: "null rate above threshold",
    observedAt: new Date().toISOString(),
  });
}

function send(agent: Agent, port: number, i: number): Promise<{ status: number; ms: number }> {
  const body = signalBody(i);
  const id = `bench_${i}_${randomBytes(4).toString("hex")}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signStandardWebhook({ secret: SECRET, id, timestamp, body }),
  };
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/signals", method: "POST", agent, headers },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Open-loop load at `rps` for `seconds`; a request is skipped (counted) when `concurrency` are in flight. */
async function load(port: number, rps: number, seconds: number, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const failures: number[] = [];
  let inFlight = 0;
  let sent = 0;
  let skipped = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * rps);
    while (sent + skipped < due) {
      if (inFlight >= concurrency) {
        skipped += 1;
        continue;
      }
      inFlight += 1;
      const i = sent++;
      pending.push(
        send(agent, port, i).then(({ status, ms }) => {
          inFlight -= 1;
          if (status === 202) latencies.push(ms);
          else failures.push(status);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { latencies, failures, skipped, elapsed };
}

type Child = { readonly child: ChildProcess; readonly port: number; readonly lines: string[] };

function startChild(dbPath: string): Promise<Child> {
  // e.g. BENCH_INTAKE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
  const nodeArgs = (process.env.BENCH_INTAKE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", THIS_FILE, "--serve", dbPath, SOURCES],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines: string[] = [];
  let buffered = "";
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      lines.push(...parts);
      if (lines.length === 1 && parts.length > 0) resolve({ child, port: Number(lines[0]), lines });
    });
  });
}

async function stopChild({ child, lines }: Child): Promise<number> {
  child.kill("SIGTERM");
  await once(child, "exit");
  const report = lines.find((line) => line.startsWith("{"));
  return report ? (JSON.parse(report) as { cpuMs: number }).cpuMs : Number.NaN;
}

/** Database file plus WAL after a full checkpoint, in bytes. */
function storeBytes(dbPath: string): { bytes: number; signals: number } {
  const db = new Database(dbPath);
  db.pragma("wal_checkpoint(TRUNCATE)");
  const row = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM signals").get();
  db.close();
  const size = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  return { bytes: size(dbPath) + size(`${dbPath}-wal`), signals: row?.n ?? 0 };
}

/** Runs the intake benchmark and returns its figures (also printed by the CLI entry below). */
export async function intakeBench(env: NodeJS.ProcessEnv = process.env): Promise<BenchLine[]> {
  const seconds = Number(env.BENCH_INTAKE_SECONDS ?? 30);
  const rps = Number(env.BENCH_INTAKE_RPS ?? 500);
  const concurrency = Number(env.BENCH_INTAKE_CONCURRENCY ?? 64);
  const dir = mkdtempSync(join(tmpdir(), "backflow-intake-bench-"));
  const dbPath = join(dir, "bench.db");
  try {
    await openSqliteStore(dbPath).close();
    const before = storeBytes(dbPath);
    const child = await startChild(dbPath);
    // Warm up JIT and the connection pool so the figures describe the steady state.
    await load(child.port, rps, 1, concurrency);
    const warm = storeBytes(dbPath);
    child.child.kill("SIGUSR2");
    const result = await load(child.port, rps, seconds, concurrency);
    const cpuMs = await stopChild(child);
    const requests = result.latencies.length + result.failures.length;
    const after = storeBytes(dbPath);
    const grownSignals = after.signals - warm.signals;
    const bytesPerSignal = grownSignals > 0 ? (after.bytes - warm.bytes) / grownSignals : Number.NaN;
    return [
      { name: "intake.target_rps", value: rps, unit: "req/s" },
      { name: "intake.achieved_rps", value: round(result.latencies.length / result.elapsed), unit: "req/s" },
      { name: "intake.p50_ms", value: round(percentile(result.latencies, 50)), unit: "ms" },
      { name: "intake.p99_ms", value: round(percentile(result.latencies, 99)), unit: "ms" },
      { name: "intake.max_ms", value: round(result.latencies.at(-1) ?? Number.NaN), unit: "ms" },
      { name: "intake.server_cpu_ms_per_request", value: round(cpuMs / requests), unit: "ms" },
      { name: "intake.non_202", value: result.failures.length, unit: "requests" },
      { name: "intake.skipped_at_concurrency_cap", value: result.skipped, unit: "requests" },
      { name: "intake.store_bytes_per_1m_signals", value: Math.round(bytesPerSignal * 1e6), unit: "bytes" },
      { name: "intake.store_bytes_initial", value: before.bytes, unit: "bytes" },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (process.argv[1] === THIS_FILE) {
  const [mode, dbPath, sources] = process.argv.slice(2);
  if (mode === "--serve" && dbPath && sources) {
    serve(dbPath, sources);
  } else {
    for (const line of await intakeBench()) console.log(JSON.stringify(line));
  }
}
