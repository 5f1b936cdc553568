/**
 * The comparison behind the PostgreSQL queue choice (issue #12): pg-boss 10.4 and graphile-worker 0.17
 * on the same small workload against a real PostgreSQL, each through its own public API.
 * Run: `npx tsx bench/queue-compare.ts [postgres://…/postgres]` (creates and drops its own databases).
 * Prints one JSON line per finding: {queue, check, value, unit?, note?}.
 * A child mode (`child <lib> <url>`) takes one job and waits to be SIGKILLed.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { makeWorkerUtils, run as runGraphile } from "graphile-worker";
import pg from "pg";
import PgBoss from "pg-boss";

type Finding = {
  queue: string;
  check: string;
  value: number | string | boolean;
  unit?: string;
  note?: string;
};
const findings: Finding[] = [];
function report(finding: Finding): void {
  findings.push(finding);
  process.stdout.write(`${JSON.stringify(finding)}\n`);
}

const adminUrl =
  (process.argv[2] !== "child" ? process.argv[2] : undefined) ??
  process.env.BACKFLOW_TEST_POSTGRES_URL ??
  "postgres://postgres@127.0.0.1:5432/postgres";

async function withDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const name = `bf_cmp_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await run(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(20);
  }
  return false;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Starts this file as a child that takes one job and then waits to be killed. */
function killChild(lib: string, url: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "child", lib, url],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("claimed")) {
        child.kill("SIGKILL");
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`child exited (${code}) before claiming`)));
  });
}

// ---------------------------------------------------------------- pg-boss

async function pgBoss(url: string): Promise<void> {
  const q = "pg-boss";
  const started = performance.now();
  const boss = new PgBoss({ connectionString: url, maintenanceIntervalSeconds: 1, schedule: false } as never);
  boss.on("error", () => {});
  await boss.start();
  report({ queue: q, check: "start+migrate", value: Math.round(performance.now() - started), unit: "ms" });
  await boss.createQueue("work");
  const pool = new pg.Pool({ connectionString: url });
  await pool.query("CREATE TABLE record (id serial primary key)");

  // Same transaction.
  for (const outcome of ["ROLLBACK", "COMMIT"]) {
    const client = await pool.connect();
    await client.query("BEGIN");
    await client.query("INSERT INTO record DEFAULT VALUES");
    await boss.send(
      "work",
      { tx: outcome },
      { db: { executeSql: (text, values) => client.query(text, values) } },
    );
    await client.query(outcome);
    client.release();
  }
  const inTx = (await pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'tx' IS NOT NULL"))
    .rows[0];
  report({ queue: q, check: "same-transaction enqueue (rollback drops, commit keeps)", value: inTx.n === 1 });

  // Keyed dedupe: standard queue + singletonKey, and the 'stately' policy.
  await boss.createQueue("std");
  const a = await boss.send("std", {}, { singletonKey: "k" });
  const b = await boss.send("std", {}, { singletonKey: "k" });
  report({
    queue: q,
    check: "dedupe queued, standard policy + singletonKey",
    value: a !== null && b === null,
    note: `second send → ${b === null ? "null" : "new job"}`,
  });
  await boss.createQueue("stately", { name: "stately", policy: "stately" });
  const s1 = await boss.send("stately", {}, { singletonKey: "k" });
  const s2 = await boss.send("stately", {}, { singletonKey: "k" });
  await boss.fetch("stately");
  const s3 = await boss.send("stately", {}, { singletonKey: "k" });
  report({
    queue: q,
    check: "dedupe, stately policy: queued / while running",
    value: `${s1 !== null && s2 === null ? "deduped" : "not deduped"} / ${s3 === null ? "deduped" : "second job queued"}`,
    note: "stately allows one queued AND one active per key; 'one in flight per key' needs an extra unique index",
  });

  // Retries with backoff, then dead letter.
  await boss.createQueue("dead");
  await boss.createQueue("flaky", {
    name: "flaky",
    retryLimit: 2,
    retryDelay: 1,
    retryBackoff: true,
    deadLetter: "dead",
  });
  const attemptsAt: number[] = [];
  await boss.work("flaky", { pollingIntervalSeconds: 0.5 }, async () => {
    attemptsAt.push(Date.now());
    throw new Error("boom");
  });
  const flakyId = await boss.send("flaky", { n: 1 });
  await waitFor(async () => (await boss.getJobById("flaky", flakyId as string))?.state === "failed", 20_000);
  const flaky = await boss.getJobById("flaky", flakyId as string);
  const gaps = attemptsAt.slice(1).map((at, i) => at - (attemptsAt[i] ?? at));
  report({
    queue: q,
    check: "retry gaps (retryDelay 1 s, backoff)",
    value: gaps.join(","),
    unit: "ms",
    note: "backoff computed in SQL; no per-kind custom jitter or per-failure retry time",
  });
  const deadCopies = (await pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'dead'"))
    .rows[0].n;
  report({
    queue: q,
    check: "dead letter (state failed kept as a row, copy to deadLetter queue)",
    value: flaky?.state === "failed" && deadCopies === 1,
    note: `output=${JSON.stringify(flaky?.output).slice(0, 80)}`,
  });
  await boss.offWork("flaky");

  // Abort signal: none is passed to handlers in 10.x.
  let handlerArgs = 0;
  await boss.createQueue("abort");
  await boss.work("abort", { pollingIntervalSeconds: 0.5 }, async (...args: unknown[]) => {
    handlerArgs = args.length;
  });
  await boss.send("abort", {});
  await waitFor(() => handlerArgs > 0, 5000);
  report({
    queue: q,
    check: "per-job abort signal",
    value: false,
    note: `handler gets ${handlerArgs} argument (the jobs); stop() waits or abandons, no signal`,
  });
  await boss.offWork("abort");

  // Wake-up latency (polling, 0.5 s is the minimum interval) and throughput.
  await boss.createQueue("latency");
  const latencies: number[] = [];
  let sentAt = 0;
  await boss.work("latency", { pollingIntervalSeconds: 0.5 }, async () => {
    latencies.push(performance.now() - sentAt);
  });
  for (let i = 0; i < 10; i++) {
    await sleep(137);
    sentAt = performance.now();
    await boss.send("latency", { i });
    await waitFor(() => latencies.length > i, 5000);
  }
  report({
    queue: q,
    check: "wake-up latency p50 (polling 0.5 s, no LISTEN/NOTIFY)",
    value: Math.round(median(latencies)),
    unit: "ms",
  });
  await boss.offWork("latency");

  await boss.createQueue("bulk");
  const jobs = 2000;
  await boss.insert(Array.from({ length: jobs }, (_, i) => ({ name: "bulk", data: { i } })));
  let done = 0;
  const t0 = performance.now();
  for (let w = 0; w < 8; w++) {
    await boss.work("bulk", { pollingIntervalSeconds: 0.5, batchSize: 1 }, async () => {
      done += 1;
    });
  }
  await waitFor(() => done >= jobs, 120_000);
  report({
    queue: q,
    check: "throughput, 8 work() loops, batchSize 1",
    value: Math.round(jobs / ((performance.now() - t0) / 1000)),
    unit: "jobs/s",
    note: "each loop sleeps the polling interval between fetches",
  });
  await boss.offWork("bulk");
  await boss.insert(Array.from({ length: jobs }, (_, i) => ({ name: "bulk", data: { i } })));
  done = 0;
  const t1 = performance.now();
  await boss.work("bulk", { pollingIntervalSeconds: 0.5, batchSize: 50 }, async (batch) => {
    await Promise.all(
      batch.map(async () => {
        done += 1;
      }),
    );
  });
  await waitFor(() => done >= jobs, 120_000);
  report({
    queue: q,
    check: "throughput, 1 work() loop, batchSize 50",
    value: Math.round(jobs / ((performance.now() - t1) / 1000)),
    unit: "jobs/s",
  });
  await boss.offWork("bulk");

  // SIGKILL: a child fetches a job (expireInSeconds 5) and is killed; when does this process get it?
  await boss.createQueue("kill", { name: "kill", expireInSeconds: 5, retryLimit: 3 });
  await boss.send("kill", {});
  await killChild("pg-boss", url);
  const killedAt = performance.now();
  let recoveredAt = 0;
  await boss.work("kill", { pollingIntervalSeconds: 0.5 }, async () => {
    recoveredAt = performance.now();
  });
  await waitFor(() => recoveredAt > 0, 30_000);
  report({
    queue: q,
    check: "SIGKILLed holder: job retried elsewhere after",
    value: recoveredAt > 0 ? Math.round(recoveredAt - killedAt) : "not within 30 s",
    unit: "ms",
    note: "expireInSeconds 5 + supervise interval; no heartbeat, so expireIn must exceed the longest job",
  });
  await boss.stop({ graceful: false, wait: true });
  await pool.end();
}

// ---------------------------------------------------------------- graphile-worker

async function graphile(url: string): Promise<void> {
  const q = "graphile-worker";
  const pool = new pg.Pool({ connectionString: url, max: 12 });
  pool.on("error", () => {});
  const started = performance.now();
  const utils = await makeWorkerUtils({ pgPool: pool });
  await utils.migrate();
  report({ queue: q, check: "start+migrate", value: Math.round(performance.now() - started), unit: "ms" });
  await pool.query("CREATE TABLE record (id serial primary key)");

  for (const outcome of ["ROLLBACK", "COMMIT"]) {
    const client = await pool.connect();
    await client.query("BEGIN");
    await client.query("INSERT INTO record DEFAULT VALUES");
    await client.query("SELECT graphile_worker.add_job('parked', json_build_object('tx', $1::text))", [
      outcome,
    ]);
    await client.query(outcome);
    client.release();
  }
  const inTx = (
    await pool.query(
      "SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE payload->>'tx' IS NOT NULL",
    )
  ).rows[0];
  report({ queue: q, check: "same-transaction enqueue (rollback drops, commit keeps)", value: inTx.n === 1 });

  const flakyRuns: number[] = [];
  let gate: () => void = () => {};
  const gated = new Promise<void>((resolve) => {
    gate = resolve;
  });
  let aborted = false;
  let sentAt = 0;
  const latencies: number[] = [];
  let bulkDone = 0;
  const runner = await runGraphile({
    pgPool: pool,
    concurrency: 8,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: new (await import("graphile-worker")).Logger(() => () => {}),
    taskList: {
      dedupe: async () => {
        await gated;
      },
      flaky: async () => {
        flakyRuns.push(Date.now());
        throw new Error("boom");
      },
      slow: async (_payload, helpers) => {
        await new Promise<void>((resolve) => {
          helpers.abortSignal?.addEventListener("abort", () => {
            aborted = true;
            resolve();
          });
          setTimeout(resolve, 10_000);
        });
      },
      latency: async () => {
        latencies.push(performance.now() - sentAt);
      },
      bulk: async () => {
        bulkDone += 1;
      },
    },
  });

  const first = await utils.addJob("dedupe", {}, { jobKey: "k", jobKeyMode: "unsafe_dedupe" });
  const second = await utils.addJob("dedupe", {}, { jobKey: "k", jobKeyMode: "unsafe_dedupe" });
  await waitFor(
    async () =>
      (await pool.query("SELECT locked_at FROM graphile_worker.jobs WHERE id = $1", [first.id])).rows[0]
        ?.locked_at !== null,
    5000,
  );
  const third = await utils.addJob("dedupe", {}, { jobKey: "k", jobKeyMode: "unsafe_dedupe" });
  gate();
  await waitFor(
    async () =>
      (await pool.query("SELECT 1 FROM graphile_worker.jobs WHERE id = $1", [first.id])).rowCount === 0,
    5000,
  );
  const fourth = await utils.addJob("dedupe", {}, { jobKey: "k", jobKeyMode: "unsafe_dedupe" });
  report({
    queue: q,
    check: "dedupe (unsafe_dedupe): queued / running / after done",
    value: `${second.id === first.id ? "deduped" : "new"} / ${third.id === first.id ? "deduped" : "new"} / ${fourth.id !== first.id ? "new job" : "blocked"}`,
    note: "a permanently failed job keeps its key (blocks re-enqueue) until deleted",
  });

  const flaky = await utils.addJob("flaky", {}, { maxAttempts: 3 });
  await waitFor(() => flakyRuns.length >= 3, 30_000);
  const times = flakyRuns;
  report({
    queue: q,
    check: "retry gaps (fixed exp(attempts) s backoff)",
    value: times
      .slice(1)
      .map((t, i) => t - (times[i] ?? t))
      .join(","),
    unit: "ms",
    note: "backoff fixed in SQL; no custom retry time",
  });
  await sleep(200);
  const dead = (
    await pool.query("SELECT attempts, max_attempts, last_error FROM graphile_worker.jobs WHERE id = $1", [
      flaky.id,
    ])
  ).rows[0];
  report({
    queue: q,
    check: "dead letter (attempts = max_attempts, row kept with last_error)",
    value: dead?.attempts === 3,
    note: String(dead?.last_error).slice(0, 60),
  });

  for (let i = 0; i < 10; i++) {
    await sleep(137);
    sentAt = performance.now();
    await utils.addJob("latency", { i });
    await waitFor(() => latencies.length > i, 5000);
  }
  report({
    queue: q,
    check: "wake-up latency p50 (LISTEN/NOTIFY)",
    value: Math.round(median(latencies) * 10) / 10,
    unit: "ms",
  });

  const jobs = 2000;
  await utils.addJobs(Array.from({ length: jobs }, (_, i) => ({ identifier: "bulk", payload: { i } })));
  const t0 = performance.now();
  await waitFor(() => bulkDone >= jobs, 120_000);
  report({
    queue: q,
    check: "throughput, concurrency 8",
    value: Math.round(jobs / ((performance.now() - t0) / 1000)),
    unit: "jobs/s",
  });

  await utils.addJob("slow", {});
  await sleep(300);
  await runner.stop();
  report({ queue: q, check: "per-job abort signal at graceful stop", value: aborted });

  // SIGKILL: a child runner takes a job and is killed; does another runner get it?
  const runner2Seen: number[] = [];
  const runner2 = await runGraphile({
    pgPool: pool,
    concurrency: 2,
    noHandleSignals: true,
    pollInterval: 500,
    logger: new (await import("graphile-worker")).Logger(() => () => {}),
    taskList: { kill: async () => void runner2Seen.push(performance.now()) },
  });
  await runner2.stop(); // only the child must see the job first
  await utils.addJob("kill", {});
  await killChild("graphile-worker", url);
  const killedAt = performance.now();
  const runner3 = await runGraphile({
    pgPool: pool,
    concurrency: 2,
    noHandleSignals: true,
    pollInterval: 500,
    logger: new (await import("graphile-worker")).Logger(() => () => {}),
    taskList: { kill: async () => void runner2Seen.push(performance.now()) },
  });
  const within = await waitFor(() => runner2Seen.length > 0, 10_000);
  report({
    queue: q,
    check: "SIGKILLed holder: job retried within 10 s without help",
    value: within,
    note: "locked_at expires after 4 hours",
  });
  const locked = (
    await pool.query("SELECT locked_by FROM graphile_worker.jobs WHERE task_identifier = 'kill'")
  ).rows[0];
  await utils.forceUnlockWorkers([locked.locked_by]);
  await waitFor(() => runner2Seen.length > 0, 10_000);
  report({
    queue: q,
    check: "SIGKILLed holder: retried after force_unlock_workers",
    value: Math.round((runner2Seen[0] ?? Number.NaN) - killedAt),
    unit: "ms",
    note: "from the kill; includes the 10 s wait above — needs our own heartbeat to know whom to unlock",
  });
  await runner3.stop();
  await utils.release();
  await pool.end();
}

// ---------------------------------------------------------------- child

async function child(lib: string, url: string): Promise<void> {
  if (lib === "pg-boss") {
    const boss = new PgBoss({
      connectionString: url,
      supervise: false,
      schedule: false,
      migrate: false,
    } as never);
    boss.on("error", () => {});
    await boss.start();
    for (;;) {
      const got = await boss.fetch("kill");
      if (got.length > 0) break;
      await sleep(50);
    }
  } else {
    const pool = new pg.Pool({ connectionString: url });
    let claimed: () => void = () => {};
    const took = new Promise<void>((resolve) => {
      claimed = resolve;
    });
    await runGraphile({
      pgPool: pool,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 200,
      logger: new (await import("graphile-worker")).Logger(() => () => {}),
      taskList: {
        kill: async () => {
          claimed();
          await new Promise(() => {});
        },
      },
    });
    await took;
  }
  process.stdout.write("claimed\n");
  await new Promise(() => {});
}

if (process.argv[2] === "child") {
  await child(process.argv[3] ?? "", process.argv[4] ?? "");
} else {
  await withDatabase(pgBoss);
  await withDatabase(graphile);
}
