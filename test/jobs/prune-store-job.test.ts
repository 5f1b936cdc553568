import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pruneStoreHandler, schedulePrune } from "../../src/jobs/prune-store-job.js";
import { createWorker } from "../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const NOW = new Date("2026-11-25T10:00:00Z");
let store: SqliteStore;
let now = NOW;

beforeEach(() => {
  store = openSqliteStore(":memory:");
  now = NOW;
});
afterEach(async () => {
  await store.close();
});

describe("the daily prune job", () => {
  it("runs once a day at midnight UTC and queues the next day's run", async () => {
    await schedulePrune({ store, retentionDays: 30, now });
    await schedulePrune({ store, retentionDays: 30, now: new Date(NOW.getTime() + 3_600_000) });
    expect((await store.jobs.list({ kind: "prune-store" })).map((j) => j.runAt.toISOString())).toEqual([
      "2026-11-26T00:00:00.000Z",
    ]);
    const old = await store.jobs.enqueue({
      kind: "other",
      payload: {},
      now: new Date("2026-09-01T00:00:00Z"),
    });
    const claimed = await store.jobs.claim({
      workerId: "w",
      now: new Date("2026-09-01T00:00:00Z"),
      leaseMs: 1000,
    });
    expect(claimed?.id).toBe(old.job.id);
    await store.jobs.complete({ id: old.job.id, workerId: "w", now: new Date("2026-09-01T00:00:01Z") });

    now = new Date("2026-11-26T00:00:05Z");
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const worker = createWorker({
      store,
      workerId: "t",
      clock: () => now,
      handlers: Object.fromEntries([pruneStoreHandler({ store, clock: () => now, log })]),
    });
    await worker.drain();

    const jobs = await store.jobs.list();
    expect(jobs.some((j) => j.id === old.job.id)).toBe(false);
    expect(jobs.filter((j) => j.kind === "prune-store").map((j) => [j.state, j.runAt.toISOString()])).toEqual(
      [
        ["done", "2026-11-26T00:00:00.000Z"],
        ["queued", "2026-11-27T00:00:00.000Z"],
      ],
    );
  });

  it("schedules nothing when retention is off (0 days)", async () => {
    await schedulePrune({ store, retentionDays: 0, now });
    expect(await store.jobs.list()).toEqual([]);
  });

  it("prunes the audit log by its own window and carries that window to the next day's run", async () => {
    const entry = (at: string) => ({
      at: new Date(at),
      actor: "ada",
      action: "snooze",
      repo: "acme/shop",
      target: null,
      detail: {},
    });
    await store.audit.record(entry("2025-10-01T00:00:00Z"));
    await store.audit.record(entry("2026-06-01T00:00:00Z"));
    await schedulePrune({ store, retentionDays: 30, auditRetentionDays: 180, now });
    now = new Date("2026-11-26T00:00:05Z");
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    await createWorker({
      store,
      workerId: "t",
      clock: () => now,
      handlers: Object.fromEntries([pruneStoreHandler({ store, clock: () => now, log })]),
    }).drain();
    expect((await store.audit.list()).map((e) => e.at.toISOString())).toEqual(["2026-06-01T00:00:00.000Z"]);
    expect((await store.jobs.list({ kind: "prune-store", state: "queued" })).map((j) => j.payload)).toEqual([
      { retentionDays: 30, auditRetentionDays: 180 },
    ]);
  });
});
