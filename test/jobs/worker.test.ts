import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { PermanentJobError } from "../../src/jobs/job-errors.js";
import { defineJobKind, handleJob, type JobHandler } from "../../src/jobs/queue.js";
import { createWorker, type WorkerOptions } from "../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const t0 = new Date("2025-01-01T00:00:00Z");

describe("job worker", () => {
  let store: SqliteStore;
  let now: Date;
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  const worker = (handlers: Record<string, JobHandler>, extra: Partial<WorkerOptions> = {}) =>
    createWorker({
      store,
      handlers,
      workerId: "w1",
      leaseMs: 60_000,
      clock: () => now,
      retry: { baseMs: 1000, maxMs: 60_000, jitter: () => 0.5 },
      ...extra,
    });

  beforeEach(() => {
    store = openSqliteStore(":memory:");
    now = t0;
  });
  afterEach(() => store.close());

  it("runs a due job's handler with its payload and marks it done", async () => {
    const seen: unknown[] = [];
    const { job } = await store.jobs.enqueue({ kind: "greet", payload: { name: "ada" }, now });
    const ran = await worker({
      greet: async (payload, ctx) => {
        seen.push([payload, ctx.job.id]);
      },
    }).drain();
    expect(ran).toBe(1);
    expect(seen).toEqual([[{ name: "ada" }, job.id]]);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 1 });
  });

  it("retries a failing job with exponential backoff, then completes it", async () => {
    let calls = 0;
    const { job } = await store.jobs.enqueue({ kind: "flaky", payload: null, now });
    const w = worker({
      flaky: async () => {
        calls += 1;
        if (calls < 3) throw new Error(`GitHub said 502 (call ${calls})`);
      },
    });

    expect(await w.drain()).toBe(1);
    expect(await store.jobs.get(job.id)).toMatchObject({
      state: "queued",
      attempts: 1,
      lastError: "GitHub said 502 (call 1)",
      runAt: new Date(t0.getTime() + 500),
    });
    expect(await w.drain()).toBe(0);

    advance(500);
    expect(await w.drain()).toBe(1);
    expect((await store.jobs.get(job.id))?.runAt).toEqual(new Date(t0.getTime() + 500 + 1000));

    advance(1000);
    expect(await w.drain()).toBe(1);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 3, lastError: null });
    expect(calls).toBe(3);
  });

  it("dead-letters a job after its last allowed attempt", async () => {
    const { job } = await store.jobs.enqueue({ kind: "broken", payload: null, maxAttempts: 3, now });
    const w = worker({
      broken: async () => {
        throw new Error("always");
      },
    });
    for (let i = 0; i < 10; i += 1) {
      await w.drain();
      advance(60_000);
    }
    expect(await store.jobs.get(job.id)).toMatchObject({
      state: "dead",
      attempts: 3,
      lastError: "gave up after 3 attempts: always",
    });
  });

  it("dead-letters a job of an unknown kind at once, naming the kinds it knows", async () => {
    const { job } = await store.jobs.enqueue({ kind: "mystery", payload: null, now });
    await worker({ greet: async () => {} }).drain();
    const dead = await store.jobs.get(job.id);
    expect(dead).toMatchObject({ state: "dead", attempts: 1 });
    expect(dead?.lastError).toMatch(/no handler for job kind "mystery".*greet/);
  });

  it("dead-letters a job whose payload fails its kind's schema, without retrying", async () => {
    const kind = defineJobKind("issue.upsert", z.object({ fingerprint: z.string().min(8) }));
    let called = false;
    const handlers = Object.fromEntries([
      handleJob(kind, async () => {
        called = true;
      }),
    ]);
    const { job } = await store.jobs.enqueue({ kind: kind.kind, payload: { fingerprint: 7 }, now });
    await worker(handlers).drain();
    const dead = await store.jobs.get(job.id);
    expect(called).toBe(false);
    expect(dead).toMatchObject({ state: "dead", attempts: 1 });
    expect(dead?.lastError).toMatch(/issue\.upsert.*fingerprint/);
  });

  it("dead-letters at once on a PermanentJobError", async () => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, now });
    await worker({
      k: async () => {
        throw new PermanentJobError("repository was deleted");
      },
    }).drain();
    expect(await store.jobs.get(job.id)).toMatchObject({
      state: "dead",
      lastError: "permanent failure: repository was deleted",
    });
  });

  it("keeps only the message of a thrown error, truncated", async () => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, now });
    await worker(
      {
        k: async () => {
          throw new Error("x".repeat(500));
        },
      },
      { maxErrorLength: 100 },
    ).drain();
    const lastError = (await store.jobs.get(job.id))?.lastError ?? "";
    expect(lastError).toHaveLength(100);
    expect(lastError.endsWith("…")).toBe(true);
    expect(lastError).not.toMatch(/at .*worker/);
  });

  it("dead-letters a job whose every claimer died instead of looping forever", async () => {
    const { job } = await store.jobs.enqueue({ kind: "k", payload: null, maxAttempts: 2, now });
    await store.jobs.claim({ workerId: "dead-1", now, leaseMs: 100 });
    advance(101);
    await store.jobs.claim({ workerId: "dead-2", now, leaseMs: 100 });
    advance(101);
    let called = false;
    await worker({
      k: async () => {
        called = true;
      },
    }).drain();
    expect(called).toBe(false);
    const dead = await store.jobs.get(job.id);
    expect(dead).toMatchObject({ state: "dead", attempts: 3 });
    expect(dead?.lastError).toMatch(/gave up after 2 attempts/);
  });

  it("extends the lease while a long handler runs so no other worker takes the job", async () => {
    const realClock = () => new Date();
    const { job } = await store.jobs.enqueue({ kind: "slow", payload: null, now: realClock() });
    let stolen: unknown = "not tried";
    const w = worker(
      {
        slow: async () => {
          await sleep(700);
          stolen = await store.jobs.claim({ workerId: "w2", now: realClock(), leaseMs: 100 });
        },
      },
      { leaseMs: 200, clock: realClock },
    );
    await w.drain();
    expect(stolen).toBeNull();
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 1 });
  });

  it("aborts the handler's signal when the lease is lost", async () => {
    const realClock = () => new Date();
    const { job } = await store.jobs.enqueue({ kind: "slow", payload: null, now: realClock() });
    let aborted = false;
    await worker(
      {
        slow: async (_payload, ctx) => {
          store.db.prepare("UPDATE jobs SET lease_owner = 'thief' WHERE id = ?").run(job.id);
          await sleep(400);
          aborted = ctx.signal.aborted;
        },
      },
      { leaseMs: 60, clock: realClock },
    ).runOnce();
    expect(aborted).toBe(true);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "running", leaseOwner: "thief" });
  });

  it("finishes the running job before stop() resolves", async () => {
    const realClock = () => new Date();
    const { job } = await store.jobs.enqueue({ kind: "slow", payload: null, now: realClock() });
    let started = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const w = worker(
      {
        slow: async () => {
          started();
          await sleep(100);
        },
      },
      { pollMs: 5, clock: realClock },
    );
    w.start();
    await running;
    await w.stop();
    expect((await store.jobs.get(job.id))?.state).toBe("done");
  });

  it("picks up jobs enqueued while it is polling, and stops promptly when idle", async () => {
    const realClock = () => new Date();
    const done: string[] = [];
    const w = worker(
      {
        k: async (payload) => {
          done.push(String(payload));
        },
      },
      { pollMs: 10, clock: realClock },
    );
    w.start();
    await store.jobs.enqueue({ kind: "k", payload: "late", now: realClock() });
    for (let i = 0; i < 100 && done.length === 0; i += 1) await sleep(10);
    const stopping = Date.now();
    await w.stop();
    expect(done).toEqual(["late"]);
    expect(Date.now() - stopping).toBeLessThan(1000);
  });
});
