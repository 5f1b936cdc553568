import { decideRetry } from "../core/jobs/decide-retry.js";
import type { JobRecord, Store } from "../store/store.js";
import { classifyJobError } from "./classify-job-error.js";
import type { JobHandler, RetryPolicy } from "./queue.js";

type LogFn = (fields: Record<string, unknown>, message: string) => void;
/** The subset of Probot's pino logger the worker uses. */
export type WorkerLog = {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
};

/** How one claimed job ended, for metrics. */
export type JobOutcome = "done" | "retry" | "dead" | "released" | "lost";

/** Why a job's signal fired: another worker took its lease, or this worker is shutting down. */
export class JobAbortedError extends Error {
  override readonly name = "JobAbortedError";
  constructor(readonly reason: "lease-lost" | "shutdown") {
    super(reason === "lease-lost" ? "the job's lease was taken over" : "the worker is shutting down");
  }
}

/** Everything one run of a claimed job needs from its worker. */
export type RunJobInput = {
  readonly store: Pick<Store, "jobs">;
  readonly job: JobRecord;
  readonly handler: JobHandler;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly retry: RetryPolicy;
  readonly jitter: () => number;
  readonly clock: () => Date;
  readonly log: WorkerLog;
  readonly maxErrorLength: number;
  /** Aborted by the worker at shutdown's deadline. */
  readonly controller: AbortController;
  /** While GitHub's circuit breaker is open for a GitHub-bound job: when it next probes. */
  readonly githubDownUntil: () => Date | null;
};

function truncate(message: string, max: number): string {
  return message.length > max ? `${message.slice(0, max - 1)}…` : message;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a claimed job's handler while heartbeating its lease, then records the outcome under the
 * claim's fence: done; retried or dead-lettered as decideRetry says; released (attempt not spent)
 * at shutdown, on a rate limit or during a GitHub outage. A lost lease aborts the handler's signal
 * and writes nothing: the job belongs to its new owner.
 */
export async function runJob(input: RunJobInput): Promise<JobOutcome> {
  const { store, job, workerId, clock, log, controller } = input;
  const fence = { id: job.id, workerId, leaseToken: job.leaseToken };
  const fields = { jobId: job.id, kind: job.kind, attempt: job.attempts };
  let leaseLost = false;
  const loseLease = (message: string) => {
    if (controller.signal.aborted) return;
    leaseLost = true;
    log.warn(fields, message);
    controller.abort(new JobAbortedError("lease-lost"));
  };
  // A worker that cannot renew (the database is unreachable) can no longer prove it holds the job:
  // it stops the job a sixth of the lease before the lease runs out and another worker may take it
  // over, so the two never run at once. Each successful renewal pushes that deadline back.
  let deadline: NodeJS.Timeout | undefined;
  const armDeadline = () => {
    clearTimeout(deadline);
    deadline = setTimeout(
      () => loseLease("could not renew the job's lease before it ran out; stopping it"),
      Math.floor((input.leaseMs * 5) / 6),
    );
  };
  armDeadline();
  const heartbeat = setInterval(
    () => {
      const leaseUntil = new Date(clock().getTime() + input.leaseMs);
      store.jobs.extendLease({ ...fence, leaseUntil }).then(
        (held) => {
          if (held) armDeadline();
          else loseLease("lost the job's lease; another worker may run it");
        },
        (error: unknown) =>
          log.warn({ ...fields, error: truncate(messageOf(error), 500) }, "heartbeat failed"),
      );
    },
    Math.max(10, Math.floor(input.leaseMs / 3)),
  );
  let failure: { error: unknown } | undefined;
  try {
    await input.handler(job.payload, { job, signal: controller.signal });
  } catch (error) {
    failure = { error };
  } finally {
    clearInterval(heartbeat);
    clearTimeout(deadline);
  }
  if (leaseLost) return "lost";
  const reason = controller.signal.reason;
  if (reason instanceof JobAbortedError && reason.reason === "shutdown") return "released"; // the worker released it
  if (!failure) {
    if (await store.jobs.complete({ ...fence, now: clock() })) {
      log.info(fields, "completed job");
      return "done";
    }
    log.warn(fields, "finished job after losing its lease; not marked done");
    return "lost";
  }
  return recordFailure(input, fence, failure.error);
}

async function recordFailure(
  input: RunJobInput,
  fence: { id: string; workerId: string; leaseToken: number },
  error: unknown,
): Promise<JobOutcome> {
  const { store, job, clock, log } = input;
  const now = clock();
  const decision = decideRetry({
    failure: classifyJobError(error),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    now,
    backoff: input.retry,
    jitter: input.jitter(),
    githubDownUntil: input.githubDownUntil(),
  });
  const reason = truncate(decision.reason, input.maxErrorLength);
  const fields = { jobId: job.id, kind: job.kind, attempts: job.attempts, error: reason };
  let held: boolean;
  if (decision.action === "release") {
    held = await store.jobs.release({ ...fence, now, runAt: decision.at, reason });
    if (held)
      log.warn({ ...fields, runAt: decision.at.toISOString() }, "job released until GitHub allows it again");
  } else {
    const retryAt = decision.action === "retry" ? decision.at : null;
    held = await store.jobs.fail({ ...fence, error: reason, retryAt, now });
    if (held && retryAt) log.warn({ ...fields, retryAt: retryAt.toISOString() }, "job failed; will retry");
    if (held && !retryAt) log.error(fields, "dead-lettered job");
  }
  if (!held) {
    log.warn(fields, "job failed after losing its lease; left to its new owner");
    return "lost";
  }
  return decision.action === "release" ? "released" : decision.action === "retry" ? "retry" : "dead";
}
