import type { JobRecord, Store } from "../store/store.js";
import { DEFAULT_RETRY_POLICY, type JobHandler, type JobKind, type RetryPolicy } from "./queue.js";
import { JobAbortedError, type JobOutcome, type RunJobInput, runJob, type WorkerLog } from "./run-job.js";

export type { WorkerLog } from "./run-job.js";

/** The circuit breaker of the GitHub host the worker's GitHub-bound jobs call (see github-breakers.ts). */
export type GitHubGate = {
  /** Whether a GitHub-bound job may start now (false while open; one probe at a time while half-open). */
  readonly wouldAdmit: () => boolean;
  /** Takes admission for one job (the probe, when half-open); false if another took it first. */
  readonly admit: () => boolean;
  /** The admitted job ended; frees the probe slot if its requests did not decide. */
  readonly ended: () => void;
  /** While open: when the next probe may go; null otherwise. */
  readonly downUntil: () => Date | null;
};

export type WorkerOptions = {
  readonly store: Pick<Store, "jobs">;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** Each kind's policy (retry, concurrency, GitHub-bound), from the job registry; defaults otherwise. */
  readonly kinds?: Readonly<Record<string, JobKind>>;
  /** Unique per process (host, pid, random): the lease owner written on claimed jobs. */
  readonly workerId: string;
  /** Jobs run at once (default 4). */
  readonly concurrency?: number;
  /** Jobs of one fairness group (installation) run at once; default half the concurrency, at least 1. */
  readonly groupConcurrency?: number;
  /** How long a claim lasts without a heartbeat; a crashed worker's job is retried after this. */
  readonly leaseMs?: number;
  /** Sleep between polls when no job is due (a finished job or `notify()` wakes the worker sooner). */
  readonly pollMs?: number;
  readonly clock?: () => Date;
  readonly log?: WorkerLog;
  /** Backoff of kinds the registry does not name, and the jitter source of all. */
  readonly retry?: { readonly baseMs: number; readonly maxMs: number; readonly jitter: () => number };
  /** Longest `lastError` kept, in characters. */
  readonly maxErrorLength?: number;
  /** GitHub's circuit breaker: while it is open, GitHub-bound kinds are not claimed. */
  readonly github?: GitHubGate;
  /** How long `stop()` lets running jobs finish before releasing them (default 10 s). */
  readonly shutdownGraceMs?: number;
  /** Called with each claimed job's outcome (metrics). */
  readonly onOutcome?: (kind: string, outcome: JobOutcome) => void;
};

export type Worker = {
  /** Starts claiming in the background until `stop()`. */
  start(): void;
  /**
   * Stops claiming, lets running jobs finish for up to `graceMs`, then aborts their signals and
   * releases them to the queue (attempt not spent). Resolves with how many finished and were released.
   */
  stop(options?: { graceMs?: number }): Promise<{ finished: number; released: number }>;
  /** Processes jobs one at a time until none is due; resolves with how many were run. For tests and the CLI. */
  drain(): Promise<number>;
  /** Claims and runs at most one due job; false when none was due. */
  runOnce(): Promise<boolean>;
  /** Wakes the worker to claim now (after an in-process enqueue). */
  notify(): void;
  /** Jobs running now. */
  running(): number;
};

const silent: WorkerLog = { debug() {}, info() {}, warn() {}, error() {} };

type Running = {
  readonly job: JobRecord;
  readonly controller: AbortController;
  readonly done: Promise<void>;
};

/** Resolves when every promise settled or `ms` passed, whichever is first. */
export async function settledWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

export function positive(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`worker ${name} must be a positive integer`);
  return value;
}

export function countBy(
  running: Iterable<{ readonly job: JobRecord }>,
  key: (job: JobRecord) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { job } of running) counts.set(key(job), (counts.get(key(job)) ?? 0) + 1);
  return counts;
}

/**
 * Runs a claimed job through runJob at its kind's retry policy, holding the GitHub breaker for the
 * whole run when the kind calls GitHub. "not-admitted": nothing ran and nothing was written, because
 * the breaker will not take the job now (another job took its single probe, or it opened since the
 * claim); the caller gives the job back with its attempt unspent.
 */
export async function runGated(
  input: Omit<RunJobInput, "retry" | "githubDownUntil"> & {
    readonly kinds: Readonly<Record<string, JobKind>>;
    readonly fallbackRetry: RetryPolicy;
    readonly github: GitHubGate | undefined;
  },
): Promise<JobOutcome | "not-admitted"> {
  const { kinds, fallbackRetry, github, ...run } = input;
  const policy = kinds[run.job.kind]?.policy;
  const githubBound = github !== undefined && policy?.github === true;
  if (githubBound && !github.admit()) return "not-admitted";
  try {
    return await runJob({
      ...run,
      retry: policy?.retry ?? fallbackRetry,
      githubDownUntil: () => (githubBound ? github.downUntil() : null),
    });
  } finally {
    if (githubBound) github.ended();
  }
}

/**
 * A worker over the durable queue that runs up to `concurrency` jobs at once. Each claim skips kinds
 * at their own concurrency limit, fairness groups (installations) at their share, and GitHub-bound
 * kinds while GitHub's circuit breaker is open, so those jobs wait without spending attempts.
 * @example createWorker({ store, workerId, ...workerJobsOf(JOB_REGISTRY, deps), concurrency: 8 }).start()
 */
export function createWorker(options: WorkerOptions): Worker {
  const { store, handlers, workerId } = options;
  const kinds = options.kinds ?? {};
  const concurrency = positive("concurrency", options.concurrency ?? 4);
  const groupConcurrency = positive(
    "group concurrency",
    options.groupConcurrency ?? Math.max(1, Math.ceil(concurrency / 2)),
  );
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1000;
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? silent;
  const jitter = options.retry?.jitter ?? Math.random;
  const fallbackRetry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const github = options.github;
  const githubKinds = Object.values(kinds)
    .filter((kind) => kind.policy.github)
    .map((kind) => kind.kind);
  const running = new Map<string, Running>();

  function exclusions(limit: number): { excludeKinds: string[]; excludeFairnessKeys: string[] } {
    const excludeKinds = new Set<string>();
    for (const [kind, count] of countBy(running.values(), (job) => job.kind)) {
      const cap = Math.min(kinds[kind]?.policy.concurrency ?? limit, limit);
      if (count >= cap) excludeKinds.add(kind);
    }
    if (github && !github.wouldAdmit()) for (const kind of githubKinds) excludeKinds.add(kind);
    const excludeFairnessKeys = [...countBy(running.values(), (job) => job.fairnessKey)]
      .filter(([, count]) => count >= Math.min(groupConcurrency, limit))
      .map(([group]) => group);
    return { excludeKinds: [...excludeKinds], excludeFairnessKeys };
  }

  async function deadLetter(job: JobRecord, error: string): Promise<void> {
    const fence = { id: job.id, workerId, leaseToken: job.leaseToken };
    if (await store.jobs.fail({ ...fence, error, retryAt: null, now: clock() })) {
      log.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, error }, "dead-lettered job");
      options.onOutcome?.(job.kind, "dead");
    }
  }

  /** Runs a claimed job to its outcome; never throws. */
  async function processJob(job: JobRecord, controller: AbortController): Promise<void> {
    if (job.attempts > job.maxAttempts) {
      // Every earlier claimer died mid-run (a job that crashes its worker must not loop forever).
      await deadLetter(
        job,
        `gave up after ${job.maxAttempts} attempts: the worker running it stopped before finishing (last error: ${job.lastError ?? "none"})`,
      );
      return;
    }
    const handler = handlers[job.kind];
    if (!handler) {
      const known = Object.keys(handlers).sort().join(", ") || "none";
      await deadLetter(job, `no handler for job kind "${job.kind}" (this worker handles: ${known})`);
      return;
    }
    const outcome = await runGated({
      store,
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
    if (outcome === "not-admitted") {
      // Another job took the breaker's single probe between our check and the claim.
      await store.jobs.release({ id: job.id, workerId, leaseToken: job.leaseToken, now: clock() });
      return;
    }
    options.onOutcome?.(job.kind, outcome);
  }

  async function claim(limit: number): Promise<JobRecord | null> {
    const job = await store.jobs.claim({ workerId, now: clock(), leaseMs, ...exclusions(limit) });
    if (job) log.debug({ jobId: job.id, kind: job.kind, attempt: job.attempts }, "claimed job");
    return job;
  }

  function track(job: JobRecord): Running {
    const controller = new AbortController();
    const entry: Running = {
      job,
      controller,
      done: processJob(job, controller)
        .catch((error: unknown) =>
          log.error(
            { jobId: job.id, kind: job.kind, error: String(error) },
            "recording the job's outcome failed",
          ),
        )
        .finally(() => {
          running.delete(job.id);
          wake?.();
        }),
    };
    running.set(job.id, entry);
    return entry;
  }

  async function runOnce(): Promise<boolean> {
    const job = await claim(1);
    if (!job) return false;
    await track(job).done;
    return true;
  }

  let loop: Promise<void> | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;

  async function claimLoop(): Promise<void> {
    while (!stopping) {
      let claimed = false;
      if (running.size < concurrency) {
        try {
          const job = await claim(concurrency);
          if (job && !stopping) track(job);
          else if (job)
            await store.jobs.release({ id: job.id, workerId, leaseToken: job.leaseToken, now: clock() });
          claimed = job !== null;
        } catch (error) {
          log.error({ error: String(error) }, "claiming a job failed; retrying after the poll interval");
        }
      }
      if ((claimed && running.size < concurrency) || stopping) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  async function release(entry: Running): Promise<boolean> {
    entry.controller.abort(new JobAbortedError("shutdown"));
    const { job } = entry;
    const released = await store.jobs.release({
      id: job.id,
      workerId,
      leaseToken: job.leaseToken,
      now: clock(),
      reason: "released at shutdown before it finished",
    });
    if (released) log.warn({ jobId: job.id, kind: job.kind }, "released a running job at shutdown");
    return released;
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = claimLoop();
    },
    async stop(stopOptions = {}) {
      stopping = true;
      wake?.();
      await loop;
      loop = null;
      const graceMs = stopOptions.graceMs ?? options.shutdownGraceMs ?? 10_000;
      const pending = [...running.values()];
      await settledWithin(
        pending.map((entry) => entry.done),
        graceMs,
      );
      const left = [...running.values()];
      const released = (await Promise.all(left.map(release))).filter(Boolean).length;
      // Handlers that honour the signal end now; one that ignores it cannot write (its fence is gone).
      await settledWithin(
        left.map((entry) => entry.done),
        1000,
      );
      return { finished: pending.length - left.length, released };
    },
    async drain() {
      let count = 0;
      while (await runOnce()) count += 1;
      return count;
    },
    runOnce,
    notify() {
      wake?.();
    },
    running: () => running.size,
  };
}
