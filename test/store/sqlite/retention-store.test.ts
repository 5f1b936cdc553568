import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const NOW = new Date("2026-11-25T00:00:00Z");
const days = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const CUTOFF = days(90);

let store: SqliteStore;

beforeEach(() => {
  store = openSqliteStore(":memory:");
});
afterEach(async () => {
  await store.close();
});

// Behaviour shared with PostgreSQL is in test/store/contract/retention.test.ts; the queue's part is SQLite's own.
describe("retention", () => {
  it("removes finished jobs and expired leases, never dead-lettered or waiting jobs", async () => {
    const enqueue = (key: string, at: Date) =>
      store.jobs.enqueue({ kind: "k", payload: {}, idempotencyKey: key, runAt: at, now: at });
    const finish = async (key: string, at: Date, dead = false) => {
      const { job } = await enqueue(key, at);
      const claimed = await store.jobs.claim({ workerId: "w", now: at, leaseMs: 1000 });
      expect(claimed?.id).toBe(job.id);
      if (dead) await store.jobs.fail({ id: job.id, workerId: "w", error: "x", retryAt: null, now: at });
      else await store.jobs.complete({ id: job.id, workerId: "w", now: at });
    };
    await finish("old-done", days(100));
    await finish("old-dead", days(100), true);
    await finish("new-done", days(1));
    await enqueue("old-queued", days(100));
    await store.leases.acquire({ name: "expired", owner: "w", now: days(1), ttlMs: 1000 });
    await store.leases.acquire({ name: "live", owner: "w", now: NOW, ttlMs: 60_000 });

    const counts = await store.retention.prune({ before: CUTOFF, now: NOW });

    expect(counts).toMatchObject({ jobs: 1, leases: 1 });
    expect((await store.jobs.list()).map((j) => j.idempotencyKey).sort()).toEqual([
      "new-done",
      "old-dead",
      "old-queued",
    ]);
    expect(await store.leases.acquire({ name: "live", owner: "other", now: NOW, ttlMs: 1000 })).toBe(false);
  });
});
