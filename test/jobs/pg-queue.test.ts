/**
 * The PostgreSQL queue (graphile-worker under Backflow's JobStore and Worker) on a real server:
 * same-transaction enqueue, keyed dedupe of jobs in flight, retries and dead letters, retryDead,
 * shutdown, the GitHub breaker, two instances, a SIGKILLed instance and scheduled jobs.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PermanentJobError } from "../../src/jobs/job-errors.js";
import { createPgWorker } from "../../src/jobs/pg-worker.js";
import { defineJobKind, enqueueJob, type JobHandler } from "../../src/jobs/queue.js";
import type { GitHubGate, Worker } from "../../src/jobs/worker.js";
import { createPgJobStore, type PgJobStore } from "../../src/store/postgres/jobs-store.js";
import { createPgDb } from "../../src/store/postgres/pg-db.js";
import { StoreError } from "../../src/store/store-errors.js";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.js";
import { REPO_ROOT } from "../store/temp-db.js";
import { startFixture } from "./child.js";

let database: TestDatabase;
const stores: PgJobStore[] = [];
const workers: Worker[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
  const open = stores.splice(0);
  // Each test starts from an empty queue.
  if (open[0]) {
    await open[0].db.query("DELETE FROM graphile_worker._private_jobs");
    await open[0].db.query("DELETE FROM backflow_finished_jobs");
  }
  await Promise.all(open.map((store) => store.db.pool.end()));
});

async function openJobs(): Promise<PgJobStore> {
  const jobs = createPgJobStore(createPgDb(database.url));
  stores.push(jobs);
  await jobs.ready();
  return jobs;
}

function worker(options: Parameters<typeof createPgWorker>[0]): Worker {
  const created = createPgWorker({ pollMs: 100, ...options });
  workers.push(created);
  return created;
}

async function until<T>(check: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(25);
  }
}

describe("PostgreSQL queue: schema", () => {
  it("installs graphile-worker's schema once when several instances start together on an empty database", async () => {
    const fresh = await createTestDatabase();
    const instances = Array.from({ length: 4 }, () => createPgJobStore(createPgDb(fresh.url)));
    const [first, , , last] = instances as [PgJobStore, PgJobStore, PgJobStore, PgJobStore];
    try {
      await Promise.all(instances.map((jobs) => jobs.ready()));
      const { job } = await first.enqueue({ kind: "deliver", payload: {}, now: new Date() });
      expect(await last.get(job.id)).toMatchObject({ state: "queued" });
      const { rows } = await last.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM graphile_worker.migrations",
      );
      expect(rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await Promise.all(instances.map((jobs) => jobs.db.pool.end()));
      await fresh.drop();
    }
  });
});

describe("PostgreSQL queue: enqueue", () => {
  it("enqueues in the caller's transaction: a rollback leaves no job, a commit leaves one", async () => {
    const jobs = await openJobs();
    await jobs.db.query("CREATE TABLE IF NOT EXISTS h2_record (id serial primary key)");
    await expect(
      jobs.db.transaction(async (client) => {
        await client.query("INSERT INTO h2_record DEFAULT VALUES");
        await jobs.enqueueWith(client, { kind: "deliver", payload: { n: 1 }, now: new Date() });
        throw new Error("the record failed");
      }),
    ).rejects.toThrow("the record failed");
    expect(await jobs.list()).toEqual([]);
    const { job } = await jobs.db.transaction(async (client) => {
      await client.query("INSERT INTO h2_record DEFAULT VALUES");
      return jobs.enqueueWith(client, { kind: "deliver", payload: { n: 2 }, now: new Date() });
    });
    expect(await jobs.list()).toEqual([
      expect.objectContaining({ id: job.id, state: "queued", payload: { n: 2 } }),
    ]);
  });

  it("dedupes a key while its job is queued or running, and takes it again once the job is done", async () => {
    const jobs = await openJobs();
    const now = new Date();
    const first = await jobs.enqueue({ kind: "deliver", payload: { n: 1 }, idempotencyKey: "k", now });
    expect(first.created).toBe(true);
    const queued = await jobs.enqueue({ kind: "deliver", payload: { n: 2 }, idempotencyKey: "k", now });
    expect(queued).toMatchObject({ created: false, job: { id: first.job.id, payload: { n: 1 } } });

    const claimed = await jobs.claim({ workerId: "w1", now: new Date(), leaseMs: 30_000 });
    expect(claimed).toMatchObject({ id: first.job.id, state: "running", attempts: 1, leaseOwner: "w1" });
    const running = await jobs.enqueue({ kind: "deliver", payload: { n: 3 }, idempotencyKey: "k", now });
    expect(running).toMatchObject({ created: false, job: { id: first.job.id, state: "running" } });

    expect(await jobs.complete({ id: first.job.id, workerId: "w1", leaseToken: 1, now: new Date() })).toBe(
      true,
    );
    expect(await jobs.get(first.job.id)).toMatchObject({ state: "done", idempotencyKey: "k" });
    const again = await jobs.enqueue({ kind: "deliver", payload: { n: 4 }, idempotencyKey: "k", now });
    expect(again.created).toBe(true);
    expect(again.job.id).not.toBe(first.job.id);
    expect(await jobs.countByState()).toEqual({ queued: 1, running: 0, done: 1, dead: 0 });
  });

  it("fences a claim: a worker whose claim was taken over can neither complete nor fail the job", async () => {
    const jobs = await openJobs();
    const { job } = await jobs.enqueue({ kind: "deliver", payload: {}, now: new Date() });
    const first = await jobs.claim({ workerId: "old", now: new Date(), leaseMs: 50 });
    expect(first?.leaseToken).toBe(1);
    await sleep(80);
    // Every instance runs with the same lease setting; the new claim sees the old one ran out.
    const second = await jobs.claim({ workerId: "new", now: new Date(), leaseMs: 50 });
    expect(second).toMatchObject({ id: job.id, leaseOwner: "new", leaseToken: 2 });
    expect(await jobs.complete({ id: job.id, workerId: "old", leaseToken: 1, now: new Date() })).toBe(false);
    expect(
      await jobs.extendLease({ id: job.id, workerId: "old", leaseToken: 1, leaseUntil: new Date() }),
    ).toBe(false);
    expect(await jobs.complete({ id: job.id, workerId: "new", leaseToken: 2, now: new Date() })).toBe(true);
  });
});

describe("PostgreSQL worker", () => {
  const flaky = defineJobKind("flaky", z.object({ n: z.number() }), {
    retry: { maxAttempts: 3, baseMs: 100, maxMs: 200 },
    github: false,
  });

  it("retries with the kind's backoff, then dead-letters with the reason; retryDead requeues it", async () => {
    const jobs = await openJobs();
    const attempts: number[] = [];
    worker({
      store: { jobs },
      workerId: "w",
      kinds: { flaky },
      retry: { baseMs: 100, maxMs: 200, jitter: () => 1 },
      handlers: {
        flaky: async () => {
          attempts.push(Date.now());
          throw new Error("the warehouse said no");
        },
      },
    }).start();
    const { job } = await enqueueJob({ jobs }, { kind: flaky, payload: { n: 1 }, idempotencyKey: "flaky-1" });
    const dead = await until(async () => {
      const current = await jobs.get(job.id);
      return current?.state === "dead" ? current : undefined;
    });
    expect(attempts).toHaveLength(3);
    // Full jitter at 1: 100 ms then 200 ms (plus the poll interval) between attempts.
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(95);
    expect((attempts[2] ?? 0) - (attempts[1] ?? 0)).toBeGreaterThanOrEqual(195);
    expect(dead.lastError).toContain("the warehouse said no");
    expect(dead.idempotencyKey).toBe("flaky-1");
    expect(await jobs.list({ state: "dead" })).toHaveLength(1);

    // A dead job does not hold its key; retrying it while the key is taken again is refused.
    const again = await enqueueJob({ jobs }, { kind: flaky, payload: { n: 2 }, idempotencyKey: "flaky-1" });
    expect(again.created).toBe(true);
    await expect(jobs.retryDead({ id: job.id, now: new Date() })).rejects.toThrow(StoreError);
  });

  it("dead-letters a permanent error at once with its message, and retryDead gives a fresh budget", async () => {
    const jobs = await openJobs();
    let runs = 0;
    const w = worker({
      store: { jobs },
      workerId: "w",
      kinds: { flaky },
      handlers: {
        flaky: async () => {
          runs += 1;
          if (runs === 1) throw new PermanentJobError("repository acme/gone was deleted");
        },
      },
    });
    const { job } = await enqueueJob({ jobs }, { kind: flaky, payload: { n: 1 }, idempotencyKey: "gone" });
    expect(await w.drain()).toBe(1);
    expect(await jobs.get(job.id)).toMatchObject({
      state: "dead",
      lastError: expect.stringContaining("repository acme/gone was deleted"),
    });
    expect(await jobs.retryDead({ id: job.id, now: new Date() })).toBe(true);
    expect(await jobs.get(job.id)).toMatchObject({
      state: "queued",
      attempts: 0,
      maxAttempts: 3,
      idempotencyKey: "gone",
    });
    expect(await w.drain()).toBe(1);
    expect(await jobs.get(job.id)).toMatchObject({ state: "done" });
  });

  it("at shutdown lets a job finish within the grace, then aborts the rest and releases them unspent", async () => {
    const jobs = await openJobs();
    let aborted: unknown;
    const w = worker({
      store: { jobs },
      workerId: "w",
      handlers: {
        quick: async () => sleep(50),
        stuck: (_payload, { signal }) =>
          new Promise<void>((_resolve, reject) => {
            signal.addEventListener("abort", () => {
              aborted = signal.reason;
              reject(signal.reason);
            });
          }),
      },
    });
    w.start();
    const quick = await jobs.enqueue({ kind: "quick", payload: {}, now: new Date() });
    const stuck = await jobs.enqueue({ kind: "stuck", payload: {}, now: new Date() });
    await until(async () => w.running() === 2);
    workers.splice(workers.indexOf(w), 1);
    expect(await w.stop({ graceMs: 300 })).toEqual({ finished: 1, released: 1 });
    expect(String(aborted)).toContain("shutting down");
    expect(await jobs.get(quick.job.id)).toMatchObject({ state: "done" });
    expect(await jobs.get(stuck.job.id)).toMatchObject({
      state: "queued",
      attempts: 0,
      lastError: "released at shutdown before it finished",
    });
  });

  it("does not run GitHub-bound jobs while the breaker is open, and spends no attempt", async () => {
    const jobs = await openJobs();
    const githubKind = defineJobKind("needs-github", z.object({}));
    const local = defineJobKind("local", z.object({}), { github: false });
    let open = true;
    const gate: GitHubGate = {
      wouldAdmit: () => !open,
      admit: () => !open,
      ended: () => undefined,
      downUntil: () => (open ? new Date(Date.now() + 100) : null),
    };
    const ran: string[] = [];
    worker({
      store: { jobs },
      workerId: "w",
      kinds: { "needs-github": githubKind, local },
      github: gate,
      handlers: {
        "needs-github": async () => void ran.push("needs-github"),
        local: async () => void ran.push("local"),
      },
    }).start();
    const bound = await enqueueJob({ jobs }, { kind: githubKind, payload: {} });
    await enqueueJob({ jobs }, { kind: local, payload: {} });
    await until(async () => ran.includes("local"));
    await sleep(400);
    expect(ran).toEqual(["local"]);
    expect(await jobs.get(bound.job.id)).toMatchObject({ state: "queued", attempts: 0 });
    open = false;
    await until(async () => (await jobs.get(bound.job.id))?.state === "done");
    expect(ran).toEqual(["local", "needs-github"]);
    expect(await jobs.get(bound.job.id)).toMatchObject({ state: "done", attempts: 1 });
  });

  it("runs each job once across two instances (two pools)", async () => {
    const a = await openJobs();
    const b = await openJobs();
    const runs = new Map<string, number>();
    const handler: JobHandler = async (_payload, { job }) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await sleep(2);
    };
    worker({ store: { jobs: a }, workerId: "a", concurrency: 4, handlers: { work: handler } }).start();
    worker({ store: { jobs: b }, workerId: "b", concurrency: 4, handlers: { work: handler } }).start();
    const total = 200;
    for (let i = 0; i < total; i++) {
      await (i % 2 === 0 ? a : b).enqueue({
        kind: "work",
        payload: { repo: `owner-${i % 7}/r`, i },
        now: new Date(),
      });
    }
    await until(async () => (await a.countByState()).done === total, 30_000);
    expect(runs.size).toBe(total);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
  });

  it("runs a job scheduled by two instances once, at its time", async () => {
    const a = await openJobs();
    const b = await openJobs();
    const ran: Date[] = [];
    const handlers = { tick: async () => void ran.push(new Date()) };
    worker({ store: { jobs: a }, workerId: "a", handlers }).start();
    worker({ store: { jobs: b }, workerId: "b", handlers }).start();
    const runAt = new Date(Date.now() + 500);
    const first = await a.enqueue({
      kind: "tick",
      payload: {},
      idempotencyKey: "tick:1",
      runAt,
      now: new Date(),
    });
    const second = await b.enqueue({
      kind: "tick",
      payload: {},
      idempotencyKey: "tick:1",
      runAt,
      now: new Date(),
    });
    expect(second).toMatchObject({ created: false, job: { id: first.job.id } });
    await until(async () => (await a.get(first.job.id))?.state === "done");
    await sleep(300);
    expect(ran).toHaveLength(1);
    expect(ran[0]?.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it("keeps a long job on a live instance across several leases, even after its lease row went stale", async () => {
    const a = await openJobs();
    const b = await openJobs();
    const runs: Array<{ kind: string; attempt: number; aborted: boolean }> = [];
    const long =
      (ms: number): JobHandler =>
      async (_payload, { job, signal }) => {
        await sleep(ms);
        runs.push({ kind: job.kind, attempt: job.attempts, aborted: signal.aborted });
      };
    // Instance a runs the jobs; instance b only sweeps (it has no handler for them).
    worker({
      store: { jobs: a },
      workerId: "a",
      leaseMs: 600,
      handlers: { first: long(400), second: long(2000) },
    }).start();
    worker({ store: { jobs: b }, workerId: "b", leaseMs: 600, handlers: { other: long(1) } }).start();
    const first = await a.enqueue({ kind: "first", payload: {}, now: new Date() });
    await until(async () => (await a.get(first.job.id))?.state === "done");
    // The lease row of a's pool is now older than the lease: a new claim must not be freed for it.
    await sleep(800);
    const second = await a.enqueue({ kind: "second", payload: {}, now: new Date() });
    await until(async () => (await a.get(second.job.id))?.state === "done");
    expect(runs).toEqual([
      { kind: "first", attempt: 1, aborted: false },
      { kind: "second", attempt: 1, aborted: false },
    ]);
  });

  it("does not run a job twice at once when its own instance claims it again after losing it", async () => {
    const jobs = await openJobs();
    let active = 0;
    let overlapped = false;
    const starts: number[] = [];
    worker({
      store: { jobs },
      workerId: "w",
      concurrency: 2,
      groupConcurrency: 2,
      leaseMs: 1500,
      handlers: {
        deliver: async (_payload, { job, signal }) => {
          starts.push(job.attempts);
          active += 1;
          if (active > 1) overlapped = true;
          try {
            // The first run holds on until its lease is found lost; later runs finish at once.
            if (starts.length === 1) {
              await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
            }
          } finally {
            active -= 1;
          }
        },
      },
    }).start();
    const { job } = await jobs.enqueue({ kind: "deliver", payload: {}, now: new Date() });
    await until(async () => starts.length === 1);
    // Another instance's sweep freed it (as after an outage that outlasted the lease).
    await jobs.db.query(
      "UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL WHERE id = $1",
      [job.id],
    );
    await jobs.db.query("SELECT pg_notify('jobs:insert', '{}')");
    await until(async () => (await jobs.get(job.id))?.state === "done");
    expect(overlapped).toBe(false);
    expect(starts).toHaveLength(2);
  });

  it("retries the job of a SIGKILLed instance on another one after the lease", async () => {
    const jobs = await openJobs();
    const { job } = await jobs.enqueue({ kind: "deliver", payload: { n: 1 }, now: new Date() });
    const doomed = startFixture(join(REPO_ROOT, "test/jobs/fixtures/pg-claim-and-hang.ts"), [
      database.url,
      "1000",
    ]);
    expect(await doomed.line(/^claimed /)).toBe(`claimed ${job.id}`);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const killedAt = Date.now();
    expect(await jobs.get(job.id)).toMatchObject({ state: "running", attempts: 1 });

    const runs: unknown[] = [];
    worker({
      store: { jobs },
      workerId: "survivor",
      leaseMs: 1000,
      handlers: { deliver: async (payload) => void runs.push(payload) },
    }).start();
    const done = await until(async () => {
      const current = await jobs.get(job.id);
      return current?.state === "done" ? current : undefined;
    });
    expect(runs).toEqual([{ n: 1 }]);
    expect(done.attempts).toBe(2);
    // One lease (1 s) plus one sweep interval and the wake-up: well under 5 s.
    expect(Date.now() - killedAt).toBeLessThan(5000);
  });
});
