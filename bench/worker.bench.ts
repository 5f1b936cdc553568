import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createPgWorker } from "../src/jobs/pg-worker.js";
import { createWorker } from "../src/jobs/worker.js";
import { createPgJobStore, type PgJobStore } from "../src/store/postgres/jobs-store.js";
import { createPgDb } from "../src/store/postgres/pg-db.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { createTestDatabase } from "../test/helpers/postgres.js";
import type { Figure } from "./figure.js";

/**
 * Jobs per second through one worker on a SQLite file: `jobs` jobs spread over 20 installations are
 * queued, then a started worker claims, runs and completes them all (lease heartbeat, fencing and
 * per-installation limits included). `handlerMs` simulates the time a job waits on GitHub.
 */
async function throughput(input: { jobs: number; concurrency: number; handlerMs: number }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "backflow-worker-"));
  try {
    const store = openSqliteStore(join(dir, "bench.db"));
    const now = new Date(Date.now() - 1000);
    store.db.transaction(() => {
      for (let i = 0; i < input.jobs; i++) {
        void store.jobs.enqueue({ kind: "work", payload: { repo: `owner-${i % 20}/repo`, i }, now });
      }
    })();
    let done = 0;
    let finished: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const worker = createWorker({
      store,
      workerId: "bench",
      concurrency: input.concurrency,
      pollMs: 50,
      handlers: {
        work: async () => {
          if (input.handlerMs > 0) await sleep(input.handlerMs);
        },
      },
      onOutcome: () => {
        done += 1;
        if (done === input.jobs) finished();
      },
    });
    const started = performance.now();
    worker.start();
    await all;
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    await store.close();
    return Math.round(input.jobs / seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same through the PostgreSQL worker (graphile-worker claims, Backflow's fenced outcomes): jobs
 * queued by one multi-row add_jobs call, then a started worker runs them all.
 */
async function pgThroughput(
  jobs: PgJobStore,
  input: { jobs: number; concurrency: number; handlerMs: number },
): Promise<number> {
  await jobs.db.query(
    `SELECT graphile_worker.add_job('work', json_build_object('repo', 'owner-' || (i % 20) || '/repo', 'i', i),
       flags => ARRAY['kind:work', 'group:owner-' || (i % 20)], max_attempts => 5)
     FROM generate_series(1, $1) AS i`,
    [input.jobs],
  );
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const worker = createPgWorker({
    store: { jobs },
    workerId: "bench",
    concurrency: input.concurrency,
    handlers: {
      work: async () => {
        if (input.handlerMs > 0) await sleep(input.handlerMs);
      },
    },
    onOutcome: () => {
      done += 1;
      if (done === input.jobs) finished();
    },
  });
  const started = performance.now();
  worker.start();
  await all;
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  return Math.round(input.jobs / seconds);
}

/** Milliseconds from an enqueue (autocommit) to its handler starting on an idle PG worker: LISTEN/NOTIFY, not the poll. */
async function pgWakeUp(jobs: PgJobStore, samples: number): Promise<number> {
  let started: () => void = () => {};
  const worker = createPgWorker({
    store: { jobs },
    workerId: "bench-latency",
    pollMs: 10_000,
    handlers: { ping: async () => started() },
  });
  worker.start();
  await sleep(500);
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const ran = new Promise<void>((resolve) => {
      started = resolve;
    });
    const at = performance.now();
    await jobs.enqueue({ kind: "ping", payload: { i }, now: new Date() });
    await ran;
    latencies.push(performance.now() - at);
    await sleep(50);
  }
  await worker.stop();
  latencies.sort((a, b) => a - b);
  return Math.round((latencies[Math.floor(latencies.length / 2)] ?? 0) * 10) / 10;
}

/** PG worker figures, on a throwaway database of the test server (skipped when none answers). */
async function pgFigures(): Promise<Figure[]> {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  try {
    database = await createTestDatabase();
  } catch (error) {
    process.stderr.write(`worker bench: no PostgreSQL server, PG figures skipped (${String(error)})\n`);
    return [];
  }
  const jobs = createPgJobStore(createPgDb(database.url, { max: 20 }));
  try {
    await jobs.ready();
    const figures: Figure[] = [];
    for (const [concurrency, count, handlerMs] of [
      [1, 1000, 0],
      [4, 2000, 0],
      [8, 600, 20],
    ] as const) {
      figures.push({
        name: `pg_worker_jobs_per_second_${handlerMs === 0 ? "noop" : `io${handlerMs}ms`}_concurrency_${concurrency}`,
        value: await pgThroughput(jobs, { jobs: count, concurrency, handlerMs }),
        unit: "jobs/s",
      });
    }
    figures.push({ name: "pg_worker_wake_up_p50", value: await pgWakeUp(jobs, 20), unit: "ms" });
    return figures;
  } finally {
    await jobs.db.pool.end();
    await database.drop();
  }
}

/** Jobs per second through the worker: bare jobs at concurrency 1 and 4; jobs that wait 20 ms on I/O at 1 and 8. */
export async function workerBench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [concurrency, jobs, handlerMs] of [
    [1, 3000, 0],
    [4, 3000, 0],
    [1, 150, 20],
    [8, 600, 20],
  ] as const) {
    figures.push({
      name: `worker_jobs_per_second_${handlerMs === 0 ? "noop" : `io${handlerMs}ms`}_concurrency_${concurrency}`,
      value: await throughput({ jobs, concurrency, handlerMs }),
      unit: "jobs/s",
    });
  }
  figures.push(...(await pgFigures()));
  return figures;
}
