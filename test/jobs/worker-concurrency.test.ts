import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJobKind, enqueueJob } from "../../src/jobs/queue.js";
import { createWorker } from "../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const Repo = z.strictObject({ repo: z.string(), n: z.number() });
const sync = defineJobKind("sync", Repo);
const single = defineJobKind("single", Repo, { concurrency: 1 });

/** Resolves when `predicate` holds (the jobs run in this process, so the test yields to them). */
async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  for (let waited = 0; !(await predicate()); waited += 5) {
    if (waited > timeoutMs) throw new Error("timed out waiting");
    await sleep(5);
  }
}

describe("a worker running several jobs at once", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  const done = async () => (await store.jobs.countByState()).done;

  it("runs up to `concurrency` jobs at once, and a kind's own limit caps that kind", async () => {
    for (let n = 0; n < 8; n += 1) await enqueueJob(store, { kind: sync, payload: { repo: `o${n}/r`, n } });
    for (let n = 0; n < 3; n += 1) await enqueueJob(store, { kind: single, payload: { repo: `s${n}/r`, n } });
    const now = { all: 0, single: 0 };
    const peak = { all: 0, single: 0 };
    const hold = async (isSingle: boolean) => {
      now.all += 1;
      if (isSingle) now.single += 1;
      peak.all = Math.max(peak.all, now.all);
      peak.single = Math.max(peak.single, now.single);
      await sleep(50);
      now.all -= 1;
      if (isSingle) now.single -= 1;
    };
    const worker = createWorker({
      store,
      workerId: "w",
      concurrency: 4,
      groupConcurrency: 4,
      pollMs: 10,
      kinds: { sync, single },
      handlers: { sync: () => hold(false), single: () => hold(true) },
    });
    worker.start();
    await until(async () => (await done()) === 11);
    await worker.stop();
    expect(peak).toEqual({ all: 4, single: 1 });
  });

  it("keeps one installation from taking every slot: a later job of another installation starts before the backlog ends", async () => {
    const t0 = new Date(Date.now() - 1000);
    const at = (ms: number) => new Date(t0.getTime() + ms);
    for (let n = 0; n < 10; n += 1)
      await enqueueJob(store, { kind: sync, payload: { repo: `Busy/repo-${n}`, n }, now: at(n) });
    await enqueueJob(store, { kind: sync, payload: { repo: "quiet/repo", n: 99 }, now: at(50) });
    const started: string[] = [];
    const worker = createWorker({
      store,
      workerId: "w",
      concurrency: 2,
      groupConcurrency: 1,
      pollMs: 10,
      kinds: { sync },
      handlers: {
        sync: async (payload) => {
          started.push((payload as { repo: string }).repo);
          await sleep(30);
        },
      },
    });
    worker.start();
    await until(async () => (await done()) === 11);
    await worker.stop();
    // Oldest first within what fits: Busy/repo-0 and quiet/repo take the two slots at once, though
    // nine older jobs of Busy wait; Busy's own jobs still run in order, one at a time.
    expect(started.slice(0, 2).sort()).toEqual(["Busy/repo-0", "quiet/repo"]);
    expect(started.filter((repo) => repo.startsWith("Busy"))).toEqual(
      Array.from({ length: 10 }, (_, n) => `Busy/repo-${n}`),
    );
  });

  it("lease loss: the stale worker's signal fires and its completion is refused; the new owner's result stands", async () => {
    let clock = new Date("2025-01-01T00:00:00Z");
    const { job } = await enqueueJob(store, { kind: sync, payload: { repo: "acme/shop", n: 1 }, now: clock });
    const results: string[] = [];
    let staleSignal: AbortSignal | undefined;
    let staleFinished = false;
    const stale = createWorker({
      store,
      workerId: "stale",
      leaseMs: 60,
      clock: () => clock,
      kinds: { sync },
      handlers: {
        sync: async (_payload, ctx) => {
          staleSignal = ctx.signal;
          // It stalls past its lease; meanwhile another worker takes the job over and finishes it.
          clock = new Date(clock.getTime() + 1000);
          const fresh = createWorker({
            store,
            workerId: "fresh",
            clock: () => clock,
            kinds: { sync },
            handlers: {
              sync: async () => {
                results.push("fresh");
              },
            },
          });
          expect(await fresh.runOnce()).toBe(true);
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
          // A handler that ignores its signal and "finishes" anyway must not overwrite the result.
          staleFinished = true;
        },
      },
    });
    expect(await stale.runOnce()).toBe(true);
    expect(staleSignal?.aborted).toBe(true);
    expect(staleFinished).toBe(true);
    expect(results).toEqual(["fresh"]);
    const stored = await store.jobs.get(job.id);
    expect(stored).toMatchObject({ state: "done", attempts: 2, leaseOwner: null });
    // The stale claim's fence no longer opens: its complete() is refused outright.
    expect(await store.jobs.complete({ id: job.id, workerId: "stale", leaseToken: 1, now: clock })).toBe(
      false,
    );
  });
});
