import { afterEach, describe, expect, it } from "vitest";
import { JobAbortedError } from "../../src/jobs/run-job.js";
import { createWorker } from "../../src/jobs/worker.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDbPath } from "../store/temp-db.js";

describe("a running job whose lease cannot be renewed", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("is aborted before its lease runs out when the database cannot be reached", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    await store.jobs.enqueue({ kind: "slow", payload: {}, now: new Date() });
    let started = 0;
    let abortedAfter = 0;
    let reason: unknown;
    const worker = createWorker({
      store,
      workerId: "w",
      leaseMs: 300,
      handlers: {
        slow: (_payload, { signal }) =>
          new Promise<void>((resolve) => {
            started = Date.now();
            // The database goes away under the running job: no renewal can succeed from now on.
            void store.close();
            signal.addEventListener("abort", () => {
              abortedAfter = Date.now() - started;
              reason = signal.reason;
              resolve();
            });
          }),
      },
    });
    await worker.runOnce();
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).reason).toBe("lease-lost");
    // Five sixths of the 300 ms lease: before any other worker could take the job over.
    expect(abortedAfter).toBeGreaterThanOrEqual(240);
    expect(abortedAfter).toBeLessThan(1000);
  });
});
