import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const t0 = new Date("2025-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("SQLite job store", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  it("enqueues a queued job with zero attempts and the default attempt budget", async () => {
    const { job, created } = await store.jobs.enqueue({ kind: "k", payload: { a: [1, "x"] }, now: t0 });
    expect(created).toBe(true);
    expect(job).toMatchObject({
      kind: "k",
      payload: { a: [1, "x"] },
      state: "queued",
      attempts: 0,
      maxAttempts: 5,
    });
    expect(job.runAt).toEqual(t0);
    expect(await store.jobs.get(job.id)).toEqual(job);
  });

  it("returns the existing job for a repeated idempotency key", async () => {
    const first = await store.jobs.enqueue({ kind: "k", payload: 1, idempotencyKey: "delivery-1", now: t0 });
    const second = await store.jobs.enqueue({
      kind: "k",
      payload: 2,
      idempotencyKey: "delivery-1",
      now: at(5),
    });
    expect(second.created).toBe(false);
    expect(second.job.id).toBe(first.job.id);
    expect(second.job.payload).toBe(1);
    expect(await store.jobs.list()).toHaveLength(1);
  });

  it("creates separate jobs when no idempotency key is given", async () => {
    await store.jobs.enqueue({ kind: "k", payload: 1, now: t0 });
    await store.jobs.enqueue({ kind: "k", payload: 1, now: t0 });
    expect(await store.jobs.list()).toHaveLength(2);
  });

  it.each([
    { name: "a queued job whose time has come", runAt: 0, claimAt: 0, due: true },
    { name: "a queued job scheduled later", runAt: 1000, claimAt: 999, due: false },
  ])("claims $name only when due", async ({ runAt, claimAt, due }) => {
    await store.jobs.enqueue({ kind: "k", payload: null, runAt: at(runAt), now: t0 });
    const claimed = await store.jobs.claim({ workerId: "w", now: at(claimAt), leaseMs: 100 });
    expect(claimed !== null).toBe(due);
  });

  it("leases a claimed job to the worker and counts the attempt", async () => {
    await store.jobs.enqueue({ kind: "k", payload: null, now: t0 });
    const job = await store.jobs.claim({ workerId: "w1", now: at(10), leaseMs: 500 });
    expect(job).toMatchObject({ state: "running", attempts: 1, leaseOwner: "w1", leaseUntil: at(510) });
    expect(await store.jobs.claim({ workerId: "w2", now: at(510), leaseMs: 500 })).toBeNull();
  });

  it("lets another worker take a running job once its lease has expired", async () => {
    await store.jobs.enqueue({ kind: "k", payload: null, now: t0 });
    const first = await store.jobs.claim({ workerId: "w1", now: t0, leaseMs: 500 });
    const second = await store.jobs.claim({ workerId: "w2", now: at(501), leaseMs: 500 });
    expect(second?.id).toBe(first?.id);
    expect(second).toMatchObject({ leaseOwner: "w2", attempts: 2 });
    expect(await store.jobs.complete({ id: second?.id ?? "", workerId: "w1", now: at(600) })).toBe(false);
  });

  it("claims the job that has waited longest first", async () => {
    const late = await store.jobs.enqueue({ kind: "k", payload: "late", runAt: at(50), now: t0 });
    const early = await store.jobs.enqueue({ kind: "k", payload: "early", runAt: at(10), now: at(1) });
    const order = [
      await store.jobs.claim({ workerId: "w", now: at(100), leaseMs: 10_000 }),
      await store.jobs.claim({ workerId: "w", now: at(100), leaseMs: 10_000 }),
    ].map((job) => job?.id);
    expect(order).toEqual([early.job.id, late.job.id]);
  });

  it("takes an orphaned job before a queued job that became due later", async () => {
    const orphan = await store.jobs.enqueue({ kind: "k", payload: "orphan", now: t0 });
    await store.jobs.claim({ workerId: "died", now: t0, leaseMs: 100 });
    const queued = await store.jobs.enqueue({ kind: "k", payload: "queued", runAt: at(50), now: at(50) });
    const first = await store.jobs.claim({ workerId: "w", now: at(200), leaseMs: 100 });
    const second = await store.jobs.claim({ workerId: "w", now: at(200), leaseMs: 100 });
    expect([first?.id, second?.id]).toEqual([orphan.job.id, queued.job.id]);
  });

  it("claims only the kinds asked for", async () => {
    await store.jobs.enqueue({ kind: "a", payload: null, now: t0 });
    await store.jobs.enqueue({ kind: "b", payload: null, now: t0 });
    const job = await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 10, kinds: ["b"] });
    expect(job?.kind).toBe("b");
    expect(await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 10, kinds: ["b"] })).toBeNull();
    expect(await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 10, kinds: [] })).toBeNull();
  });

  it("completes a job only for the lease holder", async () => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, now: t0 });
    await store.jobs.claim({ workerId: "w1", now: t0, leaseMs: 100 });
    expect(await store.jobs.complete({ id: job.id, workerId: "intruder", now: t0 })).toBe(false);
    expect(await store.jobs.complete({ id: job.id, workerId: "w1", now: t0 })).toBe(true);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", leaseOwner: null, leaseUntil: null });
    expect(await store.jobs.claim({ workerId: "w2", now: at(10_000), leaseMs: 100 })).toBeNull();
  });

  it.each([
    { name: "requeues at the retry time", retryAt: at(5000), state: "queued", runAt: at(5000) },
    { name: "dead-letters when there is no retry time", retryAt: null, state: "dead", runAt: t0 },
  ])("fail $name", async ({ retryAt, state, runAt }) => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, now: t0 });
    await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 100 });
    expect(await store.jobs.fail({ id: job.id, workerId: "w", error: "boom", retryAt, now: at(1) })).toBe(
      true,
    );
    expect(await store.jobs.get(job.id)).toMatchObject({ state, runAt, lastError: "boom", leaseOwner: null });
  });

  it("extends the lease only for the holder", async () => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, now: t0 });
    await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 100 });
    expect(await store.jobs.extendLease({ id: job.id, workerId: "x", leaseUntil: at(900) })).toBe(false);
    expect(await store.jobs.extendLease({ id: job.id, workerId: "w", leaseUntil: at(900) })).toBe(true);
    expect((await store.jobs.get(job.id))?.leaseUntil).toEqual(at(900));
    expect(await store.jobs.claim({ workerId: "x", now: at(500), leaseMs: 100 })).toBeNull();
  });

  it("lists by state and kind, counts by state, and retries a dead job with a fresh budget", async () => {
    const { job } = await store.jobs.enqueue({ kind: "a", payload: null, now: t0 });
    await store.jobs.enqueue({ kind: "b", payload: null, now: at(1) });
    await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 100, kinds: ["a"] });
    await store.jobs.fail({ id: job.id, workerId: "w", error: "bad", retryAt: null, now: t0 });

    expect((await store.jobs.list({ state: "dead" })).map((j) => j.id)).toEqual([job.id]);
    expect((await store.jobs.list({ kind: "b" })).map((j) => j.kind)).toEqual(["b"]);
    expect(await store.jobs.countByState()).toEqual({ queued: 1, running: 0, done: 0, dead: 1 });

    expect(await store.jobs.retryDead({ id: job.id, now: at(50) })).toBe(true);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "queued", attempts: 0, runAt: at(50) });
    expect(await store.jobs.retryDead({ id: job.id, now: at(50) })).toBe(false);
  });
  it("frees a finished job's idempotency key: done or dead, the key can be enqueued again", async () => {
    const key = { kind: "k", payload: 1, idempotencyKey: "open-proposal:acme/shop:fp" };
    const first = await store.jobs.enqueue({ ...key, now: t0 });
    const claimed = await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 100 });
    expect((await store.jobs.enqueue({ ...key, now: at(1) })).created).toBe(false);
    await store.jobs.complete({
      id: first.job.id,
      workerId: "w",
      leaseToken: claimed?.leaseToken,
      now: at(2),
    });

    const second = await store.jobs.enqueue({ ...key, now: at(3) });
    expect(second.created).toBe(true);
    expect(second.job.id).not.toBe(first.job.id);
    expect((await store.jobs.enqueue({ ...key, now: at(4) })).job.id).toBe(second.job.id);

    const again = await store.jobs.claim({ workerId: "w", now: at(5), leaseMs: 100 });
    await store.jobs.fail({
      id: second.job.id,
      workerId: "w",
      leaseToken: again?.leaseToken,
      error: "x",
      retryAt: null,
      now: at(6),
    });
    const third = await store.jobs.enqueue({ ...key, now: at(7) });
    expect(third.created).toBe(true);
    // The dead job's retry would hold the key twice; the fresh job is its retry.
    await expect(store.jobs.retryDead({ id: second.job.id, now: at(8) })).rejects.toThrow(/enqueued again/);
    expect((await store.jobs.list()).map((j) => j.state)).toEqual(["done", "dead", "queued"]);
  });

  it("fences writes by the claim's token: a stale claim of the same worker cannot complete, fail, extend or release", async () => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, now: t0 });
    const stale = await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 100 });
    const fresh = await store.jobs.claim({ workerId: "w", now: at(200), leaseMs: 100 });
    expect(fresh?.leaseToken).toBe((stale?.leaseToken ?? 0) + 1);
    const staleFence = { id: job.id, workerId: "w", leaseToken: stale?.leaseToken };
    expect(await store.jobs.complete({ ...staleFence, now: at(201) })).toBe(false);
    expect(await store.jobs.fail({ ...staleFence, error: "x", retryAt: at(300), now: at(201) })).toBe(false);
    expect(await store.jobs.extendLease({ ...staleFence, leaseUntil: at(900) })).toBe(false);
    expect(await store.jobs.release({ ...staleFence, now: at(201) })).toBe(false);
    expect(await store.jobs.complete({ ...staleFence, leaseToken: fresh?.leaseToken, now: at(202) })).toBe(
      true,
    );
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 2 });
  });

  it("releases a held job back to the queue without spending its attempt", async () => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, now: t0 });
    const claimed = await store.jobs.claim({ workerId: "w", now: t0, leaseMs: 100 });
    expect(claimed?.attempts).toBe(1);
    const fence = { id: job.id, workerId: "w", leaseToken: claimed?.leaseToken };
    expect(await store.jobs.release({ ...fence, now: at(5), runAt: at(60), reason: "shutting down" })).toBe(
      true,
    );
    expect(await store.jobs.get(job.id)).toMatchObject({
      state: "queued",
      attempts: 0,
      runAt: at(60),
      leaseOwner: null,
      lastError: "shutting down",
    });
    expect(await store.jobs.oldestDue({ now: at(59) })).toBeNull();
    expect(await store.jobs.oldestDue({ now: at(61) })).toEqual(at(60));
  });

  it("skips excluded kinds and fairness groups, taking the oldest job it has room for", async () => {
    await store.jobs.enqueue({ kind: "a", payload: { repo: "Acme/one" }, now: t0 });
    await store.jobs.enqueue({ kind: "b", payload: { repo: "acme/two" }, now: at(1) });
    await store.jobs.enqueue({ kind: "a", payload: { repo: "other/x" }, now: at(2) });
    const busyAcme = await store.jobs.claim({
      workerId: "w",
      now: at(10),
      leaseMs: 100,
      excludeFairnessKeys: ["acme"],
    });
    expect(busyAcme?.payload).toEqual({ repo: "other/x" });
    expect(busyAcme?.fairnessKey).toBe("other");
    const notA = await store.jobs.claim({ workerId: "w", now: at(10), leaseMs: 100, excludeKinds: ["a"] });
    expect(notA?.payload).toEqual({ repo: "acme/two" });
    expect(
      await store.jobs.claim({ workerId: "w", now: at(10), leaseMs: 100, excludeKinds: ["a", "b"] }),
    ).toBeNull();
  });
});
