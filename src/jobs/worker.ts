import type { JobRecord, Store } from "../store/store.js";
import { PermanentJobError } from "./job-errors.js";
import type { JobHandler, JobKind } from "./queue.js";
import { nextRetryAt, shouldDeadLetter } from "./retry-policy.js";

type LogFn = (fields: Record<string, unknown>, message: string) => void;
/** The subset of Probot's pino logger the worker uses. */
export type WorkerLog = {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
};

export type WorkerOptions = {
  readonly store: Pick<Store, "jobs">;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** Each kind's policy (retry, concurrency, GitHub-bound), from the job registry; defaults otherwise. */
  readonly kinds?: Readonly<Record<string, JobKind>>;
  /** Unique per process (host, pid, random): the lease owner written on claimed jobs. */
  readonly workerId: string;
  /** How long a claim lasts without a heartbeat; a crashed worker's job is retried after this. */
  readonly leaseMs?: number;
  /** Sleep between polls when no job is due. */
  readonly pollMs?: number;
  readonly clock?: () => Date;
  readonly log?: WorkerLog;
  readonly retry?: { readonly baseMs: number; readonly maxMs: number; readonly jitter: () => number };
  /** Longest `lastError` kept, in characters. */
  readonly maxErrorLength?: number;
};

export type Worker = {
  /** Starts polling in the background until `stop()`. */
  start(): void;
  /** Stops polling; resolves once the job in progress (if any) has finished. */
  stop(): Promise<void>;
  /** Processes jobs until none is due; resolves with how many were run. For tests and the CLI. */
  drain(): Promise<number>;
  /** Claims and runs at most one due job; false when none was due. */
  runOnce(): Promise<boolean>;
};

const silent: WorkerLog = { debug() {}, info() {}, warn() {}, error() {} };

function errorMessage(error: unknown, max: number): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > max ? `${message.slice(0, max - 1)}…` : message;
}

/**
 * A polling worker over the durable queue: claims a due job, heartbeats its lease while the handler
 * runs, completes it, or records the error and retries with backoff until it is dead-lettered.
 * @example createWorker({ store, handlers: Object.fromEntries([handleJob(kind, run)]), workerId }).start()
 */
export function createWorker(options: WorkerOptions): Worker {
  const { store, handlers, workerId } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1000;
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? silent;
  const retry = options.retry ?? { baseMs: 5000, maxMs: 15 * 60_000, jitter: Math.random };
  const maxErrorLength = options.maxErrorLength ?? 2000;

  async function deadLetter(job: JobRecord, error: string): Promise<void> {
    if (await store.jobs.fail({ id: job.id, workerId, error, retryAt: null, now: clock() })) {
      log.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, error }, "dead-lettered job");
    } else {
      log.warn(
        { jobId: job.id, kind: job.kind, error },
        "job failed after losing its lease; left to its new owner",
      );
    }
  }

  async function runHandler(job: JobRecord, handler: JobHandler): Promise<void> {
    const controller = new AbortController();
    // Extend the lease well before it runs out; losing it means another worker may take the job.
    const heartbeat = setInterval(
      () => {
        const leaseUntil = new Date(clock().getTime() + leaseMs);
        store.jobs.extendLease({ id: job.id, workerId, leaseUntil }).then(
          (held) => {
            if (!held && !controller.signal.aborted) {
              log.warn({ jobId: job.id, kind: job.kind }, "lost the job's lease; another worker may run it");
              controller.abort(new Error("lease lost"));
            }
          },
          (error: unknown) =>
            log.warn({ jobId: job.id, error: errorMessage(error, 500) }, "heartbeat failed"),
        );
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    try {
      await handler(job.payload, { job, signal: controller.signal });
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function handleFailure(job: JobRecord, error: unknown): Promise<void> {
    const message = errorMessage(error, maxErrorLength);
    if (error instanceof PermanentJobError || shouldDeadLetter(job.attempts, job.maxAttempts)) {
      await deadLetter(job, message);
      return;
    }
    const retryAt = nextRetryAt({ attempts: job.attempts, now: clock(), ...retry });
    if (!(await store.jobs.fail({ id: job.id, workerId, error: message, retryAt, now: clock() }))) {
      log.warn(
        { jobId: job.id, kind: job.kind, error: message },
        "job failed after losing its lease; left to its new owner",
      );
      return;
    }
    log.warn(
      {
        jobId: job.id,
        kind: job.kind,
        attempts: job.attempts,
        retryAt: retryAt.toISOString(),
        error: message,
      },
      "job failed; will retry",
    );
  }

  async function processJob(job: JobRecord): Promise<void> {
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
    try {
      await runHandler(job, handler);
    } catch (error) {
      await handleFailure(job, error);
      return;
    }
    const completed = await store.jobs.complete({ id: job.id, workerId, now: clock() });
    if (completed) log.info({ jobId: job.id, kind: job.kind, attempts: job.attempts }, "completed job");
    else log.warn({ jobId: job.id, kind: job.kind }, "finished job after losing its lease; not marked done");
  }

  async function runOnce(): Promise<boolean> {
    const job = await store.jobs.claim({ workerId, now: clock(), leaseMs });
    if (!job) return false;
    log.debug({ jobId: job.id, kind: job.kind, attempt: job.attempts }, "claimed job");
    await processJob(job);
    return true;
  }

  let loop: Promise<void> | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;

  async function pollLoop(): Promise<void> {
    while (!stopping) {
      let ran = false;
      try {
        ran = await runOnce();
      } catch (error) {
        log.error(
          { error: errorMessage(error, 500) },
          "worker poll failed; retrying after the poll interval",
        );
      }
      if (ran || stopping) continue;
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

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = pollLoop();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = null;
    },
    async drain() {
      let count = 0;
      while (await runOnce()) count += 1;
      return count;
    },
    runOnce,
  };
}
