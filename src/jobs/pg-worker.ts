/**
 * The job worker on PostgreSQL: graphile-worker 0.17 claims jobs (SKIP LOCKED, woken by
 * LISTEN/NOTIFY, polling only as a fallback for jobs due later) and runs Backflow's handlers through
 * the same `runJob` as the SQLite worker, so retries, dead letters, the breaker and fencing behave
 * the same on both backends. What graphile-worker lacks, Backflow adds here and in the PG job store:
 * - a lease per lock holder (graphile's worker pool), renewed by each running job's heartbeat and by
 *   this instance every third of the lease, and a sweep on every instance that frees jobs whose
 *   holder's lease ran out (graphile alone keeps a dead process's jobs locked for 4 hours);
 * - fenced outcomes: runJob completes, retries (at the kind's backoff), dead-letters or releases the
 *   job itself under (id, locked_by, attempts); the task then throws so graphile's own unfenced
 *   completion never runs, and graphile's failure write finds the job no longer locked by it;
 * - claim-time exclusions through graphile's `forbiddenFlags`: kinds at their concurrency, GitHub
 *   kinds while the breaker is open (their attempt is not spent), installations at their share.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Job as GraphileJob, Logger, type Runner, run, runOnce, type TaskList } from "graphile-worker";
import { groupFlag, kindFlag, type PgJobStore } from "../store/postgres/jobs-store.js";
import type { JobRecord } from "../store/store.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./queue.js";
import { JobAbortedError, type JobOutcome, type WorkerLog } from "./run-job.js";
import { countBy, positive, runGated, settledWithin, type Worker, type WorkerOptions } from "./worker.js";

export type PgWorkerOptions = Omit<WorkerOptions, "store"> & {
  readonly store: { readonly jobs: PgJobStore };
  /** How often workers look for jobs due later (retries, scheduled runs); new jobs wake them at once. Default 2 s. */
  readonly pollMs?: number;
};

const silent: WorkerLog = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * graphile-worker's own errors and warnings in Backflow's log (connection trouble, a failed claim);
 * not the "failed task" lines of outcomes Backflow recorded itself, and nothing below warning.
 */
function graphileLogger(log: WorkerLog): Logger {
  return new Logger(() => (level, message) => {
    if (message.includes(RECORDED)) return;
    if (level === "error") log.error({ source: "graphile-worker" }, message);
    else if (level === "warning") log.warn({ source: "graphile-worker" }, message);
  });
}

const RECORDED = "job outcome recorded by Backflow";

/** How long a job id stays off-limits to this instance after it lost the job's claim. */
const LINGER_MS = 2000;

/** Thrown by a task whose outcome runJob already recorded, so graphile neither completes nor fails it. */
class OutcomeRecorded extends Error {
  constructor(readonly outcome: JobOutcome) {
    // graphile writes this as the job's last error only when it still holds the job: after a lost lease.
    super(
      outcome === "lost"
        ? `${RECORDED}: the worker running it lost its lease (database unreachable, or taken over); it runs again`
        : `${RECORDED}: ${outcome}`,
    );
  }
}

type Running = {
  readonly job: JobRecord;
  readonly controller: AbortController;
  readonly done: Promise<void>;
  /** Set by stop(): the release of the job at shutdown, which the task waits for before it ends. */
  releasing?: Promise<boolean>;
};

function recordOf(job: GraphileJob): JobRecord {
  const group = Object.keys(job.flags ?? {}).find((flag) => flag.startsWith("group:"));
  return {
    id: String(job.id),
    kind: job.task_identifier,
    payload: job.payload,
    idempotencyKey: job.key,
    state: "running",
    attempts: job.attempts,
    maxAttempts: job.max_attempts,
    runAt: new Date(job.run_at),
    leaseOwner: job.locked_by,
    leaseUntil: null,
    leaseToken: job.attempts,
    fairnessKey: group ? group.slice("group:".length) : `kind:${job.task_identifier}`,
    lastError: job.last_error,
    createdAt: new Date(job.created_at),
  };
}

/**
 * A worker over graphile-worker's queue with the SQLite worker's contract (see `Worker`).
 * @example createPgWorker({ store, workerId, ...workerJobsOf(JOB_REGISTRY, deps), concurrency: 8, leaseMs: 30_000 }).start()
 */
export function createPgWorker(options: PgWorkerOptions): Worker {
  const { handlers } = options;
  const jobs = options.store.jobs;
  const kinds = options.kinds ?? {};
  const concurrency = positive("concurrency", options.concurrency ?? 4);
  const groupConcurrency = positive(
    "group concurrency",
    options.groupConcurrency ?? Math.max(1, Math.ceil(concurrency / 2)),
  );
  const leaseMs = positive("lease", options.leaseMs ?? 30_000);
  const pollMs = positive("poll interval", options.pollMs ?? 2000);
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? silent;
  const jitter = options.retry?.jitter ?? Math.random;
  const fallbackRetry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const github = options.github;
  const githubKinds = Object.values(kinds)
    .filter((kind) => kind.policy.github)
    .map((kind) => kind.kind);
  const allKindFlags = Object.keys(handlers).map(kindFlag);
  const running = new Map<string, Running>();
  /** Jobs whose claim was just lost here: graphile's failure write for that claim may not have landed yet. */
  const lingering = new Set<string>();
  let stopping = false;

  /** Flags graphile must skip on its next claim, given what this process runs now. */
  function forbidden(limit: number): string[] {
    if (stopping) return allKindFlags;
    const flags = new Set<string>();
    for (const [kind, count] of countBy(running.values(), (job) => job.kind)) {
      if (count >= Math.min(kinds[kind]?.policy.concurrency ?? limit, limit)) flags.add(kindFlag(kind));
    }
    if (github && !github.wouldAdmit()) for (const kind of githubKinds) flags.add(kindFlag(kind));
    for (const [group, count] of countBy(running.values(), (job) => job.fairnessKey)) {
      if (count >= Math.min(groupConcurrency, limit)) flags.add(groupFlag(group));
    }
    return [...flags];
  }

  async function processJob(job: JobRecord, controller: AbortController): Promise<JobOutcome> {
    const workerId = job.leaseOwner ?? "";
    const fence = { id: job.id, workerId, leaseToken: job.leaseToken };
    const handler = handlers[job.kind];
    if (!handler)
      throw new Error(`graphile-worker gave this worker a "${job.kind}" job it has no handler for`);
    const outcome = await runGated({
      store: options.store,
      job,
      handler,
      workerId,
      leaseMs,
      jitter,
      clock,
      log,
      maxErrorLength: options.maxErrorLength ?? 2000,
      controller,
      kinds,
      fallbackRetry,
      github,
    });
    if (outcome !== "not-admitted") return outcome;
    // Another job took the breaker's single probe, or it opened since the claim: wait, attempt unspent.
    await jobs.release({ ...fence, now: clock(), runAt: github?.downUntil() ?? clock() });
    return "released";
  }

  /** graphile's task for every kind: run the job, record its outcome fenced, keep graphile's hands off. */
  async function task(graphileJob: GraphileJob, onStart?: () => void): Promise<void> {
    const job = recordOf(graphileJob);
    if (running.has(job.id) || lingering.has(job.id)) {
      // This instance's pool claimed a job it still runs (or just ended) under an older claim that
      // lost its lease. graphile's failure write for that claim is fenced on the pool's id only and
      // would unlock this one, so give this claim back (attempt unspent) and let the old one end.
      await jobs.release({
        id: job.id,
        workerId: job.leaseOwner ?? "",
        leaseToken: job.leaseToken,
        now: clock(),
        runAt: new Date(clock().getTime() + LINGER_MS),
      });
      throw new OutcomeRecorded("released");
    }
    onStart?.();
    const controller = new AbortController();
    const result: { outcome: JobOutcome } = { outcome: "lost" };
    const done = processJob(job, controller).then(
      (outcome) => {
        result.outcome = outcome;
        options.onOutcome?.(job.kind, outcome);
      },
      (error: unknown) =>
        log.error(
          { jobId: job.id, kind: job.kind, error: String(error) },
          "recording the job's outcome failed",
        ),
    );
    const entry: Running = { job, controller, done };
    running.set(job.id, entry);
    try {
      await done;
      // Until stop() has released the job, graphile's failure write (fenced on locked_by) could still
      // apply and spend the attempt; let the release land first.
      await entry.releasing;
    } finally {
      running.delete(job.id);
    }
    // "done" was completed (and moved to the finished table) by runJob; graphile's delete finds nothing.
    if (result.outcome === "done") return;
    if (result.outcome === "lost") {
      // Lost: the job is held elsewhere (or free) and graphile's failure write for this claim is
      // still to come. Other outcomes unlocked the job themselves before this throw, for a later run.
      lingering.add(job.id);
      setTimeout(() => lingering.delete(job.id), LINGER_MS).unref();
    }
    throw new OutcomeRecorded(result.outcome);
  }

  function taskList(onStart?: () => void): TaskList {
    return Object.fromEntries(
      Object.keys(handlers).map((kind) => [
        kind,
        (_payload: unknown, helpers: { job: GraphileJob }) => task(helpers.job, onStart),
      ]),
    ) as TaskList;
  }

  /**
   * Renews the lease of every lock holder with a job running here (graphile locks a job under its
   * worker pool's id), so a job whose handler keeps the event loop busy past its own heartbeat still
   * holds, and a lease row left stale by an outage is fresh again within a third of the lease.
   */
  async function renewLeases(): Promise<void> {
    const holders = new Set([...running.values()].map(({ job }) => job.leaseOwner ?? ""));
    holders.delete("");
    if (holders.size === 0) return;
    await jobs.renewWorkers({ workerIds: [...holders], leaseUntil: new Date(clock().getTime() + leaseMs) });
  }

  const graphileOptions = () => ({
    pgPool: jobs.db.pool,
    noHandleSignals: true,
    pollInterval: pollMs,
    logger: graphileLogger(log),
  });

  let runner: Runner | null = null;
  let starting: Promise<void> | null = null;
  let sweep: NodeJS.Timeout | null = null;

  /** Renews this instance's leases, frees the jobs of workers whose lease ran out, and wakes the workers. */
  async function recover(): Promise<void> {
    try {
      await renewLeases();
      const freed = await jobs.recoverStale({ now: clock(), graceMs: leaseMs });
      if (freed > 0) {
        log.warn({ jobs: freed }, "freed jobs whose worker stopped renewing its lease; they run again");
        await jobs.db.query(`SELECT pg_notify('jobs:insert', json_build_object('count', $1::int)::text)`, [
          freed,
        ]);
      }
    } catch (error) {
      log.warn({ error: String(error) }, "recovering jobs of stopped workers failed; retrying later");
    }
  }

  /** Runs jobs one at a time until none is due or `max` ran; resolves with how many ran. */
  async function runSerially(max: number): Promise<number> {
    await jobs.ready();
    await recover();
    let started = 0;
    await runOnce({
      ...graphileOptions(),
      concurrency: 1,
      forbiddenFlags: () => (started >= max ? allKindFlags : forbidden(1)),
      taskList: taskList(() => {
        started += 1;
      }),
    });
    return started;
  }

  /**
   * Starts graphile-worker's runner, retrying every 2 s while the database cannot be reached, and
   * starts it again if it ever stops on its own (so `start()` once keeps the instance working).
   */
  async function launch(): Promise<void> {
    while (!stopping) {
      try {
        await jobs.ready();
        const started = await run({
          ...graphileOptions(),
          concurrency,
          forbiddenFlags: () => forbidden(concurrency),
          taskList: taskList(),
          preset: { worker: { gracefulShutdownAbortTimeout: (options.shutdownGraceMs ?? 10_000) + 5000 } },
        });
        runner = started;
        started.promise.then(
          () => undefined,
          (error: unknown) => {
            if (stopping || runner !== started) return;
            log.error({ error: String(error) }, "the PostgreSQL job runner stopped; starting it again");
            runner = null;
            starting = launch();
          },
        );
        void recover();
        return;
      } catch (error) {
        log.error({ error: String(error) }, "starting the PostgreSQL job worker failed; retrying in 2 s");
        await sleep(2000);
      }
    }
  }

  return {
    start() {
      if (starting) return;
      stopping = false;
      sweep = setInterval(() => void recover(), Math.max(250, Math.floor(leaseMs / 3)));
      sweep.unref();
      starting = launch();
    },
    async stop(stopOptions = {}) {
      stopping = true;
      await starting;
      starting = null;
      if (sweep) clearInterval(sweep);
      sweep = null;
      const graceMs = stopOptions.graceMs ?? options.shutdownGraceMs ?? 10_000;
      const graphileStopped = runner ? runner.stop().catch(() => undefined) : Promise.resolve();
      runner = null;
      const pending = [...running.values()];
      await settledWithin(
        pending.map((entry) => entry.done),
        graceMs,
      );
      const left = [...running.values()];
      const released = (
        await Promise.all(
          left.map((entry) => {
            const { job, controller } = entry;
            entry.releasing = jobs
              .release({
                id: job.id,
                workerId: job.leaseOwner ?? "",
                leaseToken: job.leaseToken,
                now: clock(),
                reason: "released at shutdown before it finished",
              })
              .then((held) => {
                if (held) log.warn({ jobId: job.id, kind: job.kind }, "released a running job at shutdown");
                return held;
              });
            controller.abort(new JobAbortedError("shutdown"));
            return entry.releasing;
          }),
        )
      ).filter(Boolean).length;
      // Handlers that honour the signal end now; one that ignores it cannot write (its fence is gone).
      await settledWithin(
        left.map((entry) => entry.done),
        1000,
      );
      await settledWithin([graphileStopped], 5000);
      return { finished: pending.length - left.length, released };
    },
    drain: () => runSerially(Number.POSITIVE_INFINITY),
    async runOnce() {
      return (await runSerially(1)) > 0;
    },
    notify() {
      // add_job notifies every listening worker itself.
    },
    running: () => running.size,
  };
}
