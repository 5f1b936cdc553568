import type { z } from "zod";
import { fairnessKeyOf } from "../core/jobs/fairness-key.js";
import type { JobRecord, Store } from "../store/store.js";
import { JobPayloadError } from "./job-errors.js";

/** How a kind's failed attempts are retried: the queue's backoff does the waiting, not the handler. */
export type RetryPolicy = {
  /** Attempts before the job is dead-lettered. */
  readonly maxAttempts: number;
  /** First backoff ceiling; it doubles per attempt (full jitter) up to `maxMs`. */
  readonly baseMs: number;
  readonly maxMs: number;
};

/** The retry policy of a kind that does not name one. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseMs: 5000, maxMs: 15 * 60_000 };

/** How the worker runs a kind: retries, concurrency, and whether it needs GitHub. */
export type JobPolicy = {
  readonly retry: RetryPolicy;
  /** Most jobs of this kind one worker runs at once; undefined = only the worker's own limit. */
  readonly concurrency: number | undefined;
  /** Calls GitHub: not claimed while the GitHub circuit breaker is open (the jobs wait, attempts unspent). */
  readonly github: boolean;
  /**
   * The fairness group of a payload (an installation): one group cannot take every worker slot.
   * Defaults to the owner of `payload.repo` (an installation is one account), else the kind.
   */
  readonly fairnessKey: (payload: unknown) => string;
};

/** A job kind: its name in the queue, the schema its payload must satisfy, and how it is run. */
export type JobKind<S extends z.ZodType = z.ZodType> = {
  readonly kind: string;
  readonly schema: S;
  readonly policy: JobPolicy;
};

/** What a handler receives besides its payload. */
export type JobContext = {
  readonly job: JobRecord;
  /**
   * Aborted when the worker loses the job's lease (another worker may now run it) or when shutdown's
   * deadline passes. A handler passes it to long waits and checks it before each GitHub write.
   */
  readonly signal: AbortSignal;
};

/** Runs one job; throwing retries it with backoff, throwing a PermanentJobError dead-letters it. */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/**
 * Declares a job kind once; `enqueueJob`, `handleJob`, the job registry and the worker share it.
 * @example export const syncCheckRun = defineJobKind("check-run.sync", z.object({ repo: z.string(), sha: z.string() }), { concurrency: 2 });
 */
export function defineJobKind<S extends z.ZodType>(
  kind: string,
  schema: S,
  policy: {
    readonly retry?: Partial<RetryPolicy>;
    readonly concurrency?: number;
    readonly github?: boolean;
    readonly fairnessKey?: (payload: z.infer<S>) => string;
  } = {},
): JobKind<S> {
  if (policy.concurrency !== undefined && !(Number.isInteger(policy.concurrency) && policy.concurrency > 0)) {
    throw new Error(`job kind "${kind}": concurrency must be a positive integer`);
  }
  const fairnessKey = policy.fairnessKey;
  return {
    kind,
    schema,
    policy: {
      retry: { ...DEFAULT_RETRY_POLICY, ...policy.retry },
      concurrency: policy.concurrency,
      github: policy.github ?? true,
      fairnessKey: fairnessKey
        ? (payload) => fairnessKey(payload as z.infer<S>)
        : (payload) => fairnessKeyOf(kind, payload),
    },
  };
}

/** The payload checked against the kind's schema; a mismatch throws JobPayloadError with the zod path. */
export function parsePayload<S extends z.ZodType>(jobKind: JobKind<S>, payload: unknown): z.infer<S> {
  const result = jobKind.schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") || "(root)";
  throw new JobPayloadError(
    `payload of job kind "${jobKind.kind}" is invalid at ${path}: ${issue?.message ?? "does not match the schema"}`,
  );
}

/** A handler that validates the payload against the kind's schema before `handle` sees it. */
export function handleJob<S extends z.ZodType>(
  jobKind: JobKind<S>,
  handle: (payload: z.infer<S>, ctx: JobContext) => Promise<void>,
): [string, JobHandler] {
  return [jobKind.kind, async (payload, ctx) => handle(parsePayload(jobKind, payload), ctx)];
}

/**
 * Adds a job to the durable queue. With an idempotency key, a second call while the first job is
 * still queued or running returns it (`created: false`), so redelivered webhooks enqueue work once;
 * once that job has finished, the key can be enqueued again. A typed kind validates the payload now
 * and gives the job its retry budget.
 */
export async function enqueueJob<S extends z.ZodType>(
  store: Pick<Store, "jobs">,
  input: {
    readonly kind: JobKind<S> | string;
    readonly payload: z.infer<S>;
    readonly idempotencyKey?: string;
    readonly runAt?: Date;
    readonly maxAttempts?: number;
    readonly now?: Date;
  },
): Promise<{ job: JobRecord; created: boolean }> {
  const typed = typeof input.kind === "string" ? undefined : input.kind;
  const payload = typed ? parsePayload(typed, input.payload) : input.payload;
  return store.jobs.enqueue({
    kind: typed ? typed.kind : (input.kind as string),
    payload,
    idempotencyKey: input.idempotencyKey,
    runAt: input.runAt,
    maxAttempts: input.maxAttempts ?? typed?.policy.retry.maxAttempts,
    fairnessKey: typed?.policy.fairnessKey(payload),
    now: input.now ?? new Date(),
  });
}
