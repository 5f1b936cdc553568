import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createWorker } from "../src/jobs/worker.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
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
  return figures;
}
