/**
 * What to do with a job attempt that failed: retry after a backoff, give the job back without
 * spending the attempt, or dead-letter it with the reason. Pure: the failure arrives already
 * classified by its type (see src/jobs/classify-job-error.ts), never by its message text.
 */

/** A failed attempt, described by what kind of failure it was. */
export type JobFailure =
  /** The job can never succeed as it is: invalid payload, invalid config, a handler's permanent refusal. */
  | { readonly type: "permanent"; readonly message: string }
  /** No HTTP answer at all: DNS, refused or reset connection, timeout. */
  | { readonly type: "network"; readonly message: string }
  | {
      readonly type: "http";
      readonly status: number;
      readonly message: string;
      /** A primary or secondary rate limit (429, or 403 with `retry-after` or no quota left). */
      readonly rateLimited: boolean;
      /** From `retry-after` (seconds, as milliseconds). */
      readonly retryAfterMs?: number;
      /** From `x-ratelimit-reset` (epoch milliseconds) when the quota is exhausted. */
      readonly rateLimitResetAt?: number;
    }
  /** Anything else a handler threw: retried, in case it was transient. */
  | { readonly type: "unknown"; readonly message: string };

export type RetryDecision =
  | { readonly action: "retry"; readonly at: Date; readonly reason: string }
  /** Requeue at `at` and give back the attempt: the failure was GitHub's state, not the job's. */
  | { readonly action: "release"; readonly at: Date; readonly reason: string }
  | { readonly action: "dead-letter"; readonly reason: string };

export type DecideRetryInput = {
  readonly failure: JobFailure;
  /** Attempts made so far, including the one that just failed. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly now: Date;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  /** A number in [0, 1) for full jitter. */
  readonly jitter: number;
  /** While GitHub's circuit breaker is open for this job: when it next lets a probe through. */
  readonly githubDownUntil: Date | null;
};

/** Statuses whose request will fail the same way however often it is sent. */
const PERMANENT_STATUS: Readonly<Record<number, string>> = {
  400: "GitHub refused the request as malformed",
  403: "the app lacks a permission this job needs",
  404: "the repository or object no longer exists, or the app cannot see it",
  410: "the resource is gone",
  422: "GitHub refused the change as invalid",
  451: "the repository is unavailable for legal reasons",
};

/**
 * The delay of retry number `attempts` with full jitter: uniform in [0, min(maxMs, baseMs * 2^(attempts - 1))).
 * @example backoffMs({ attempts: 3, baseMs: 1000, maxMs: 60_000, jitter: 0.5 }) // 2000
 */
export function backoffMs(input: {
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly jitter: number;
}): number {
  const exponent = Math.max(0, input.attempts - 1);
  // Cap the exponent before Math.pow so a large attempt count cannot overflow to Infinity.
  const ceiling = Math.min(input.maxMs, input.baseMs * 2 ** Math.min(exponent, 52));
  const fraction = Math.min(Math.max(input.jitter, 0), 1);
  return Math.floor(ceiling * fraction);
}

function rateLimitWaitMs(failure: Extract<JobFailure, { type: "http" }>, now: Date): number | undefined {
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
  if (failure.rateLimitResetAt !== undefined)
    return Math.max(0, failure.rateLimitResetAt - now.getTime()) + 1000;
  return undefined;
}

function describe(failure: JobFailure): string {
  if (failure.type === "http") return `GitHub answered ${failure.status}: ${failure.message}`;
  if (failure.type === "network") return `GitHub could not be reached: ${failure.message}`;
  return failure.message;
}

/**
 * Decides the fate of a failed attempt.
 * - permanent failures and 400/403/404/410/422/451 answers: dead-letter now, with the reason;
 * - rate limits: released until `retry-after` (or the quota reset), the attempt not spent;
 * - network failures and 5xx while the GitHub breaker is open: released until its next probe;
 * - everything else (network, 5xx, 409, unknown): retried with backoff until `maxAttempts`.
 * @example decideRetry({ failure: { type: "http", status: 422, message: "Validation Failed", rateLimited: false }, ... }) // dead-letter
 */
export function decideRetry(input: DecideRetryInput): RetryDecision {
  const { failure, now } = input;
  const reason = describe(failure);
  if (failure.type === "permanent") return { action: "dead-letter", reason: `permanent failure: ${reason}` };
  if (failure.type === "http") {
    const wait = failure.rateLimited ? rateLimitWaitMs(failure, now) : undefined;
    if (failure.rateLimited) {
      const delay = wait ?? backoffMs({ attempts: input.attempts, ...input.backoff, jitter: input.jitter });
      return { action: "release", at: new Date(now.getTime() + delay), reason: `rate limited: ${reason}` };
    }
    const permanent = PERMANENT_STATUS[failure.status];
    if (permanent) return { action: "dead-letter", reason: `permanent failure (${permanent}): ${reason}` };
  }
  const outage = failure.type === "network" || (failure.type === "http" && failure.status >= 500);
  if (outage && input.githubDownUntil !== null) {
    const at = new Date(Math.max(input.githubDownUntil.getTime(), now.getTime()));
    return { action: "release", at, reason: `GitHub is unavailable (circuit breaker open): ${reason}` };
  }
  if (input.attempts >= input.maxAttempts) {
    return { action: "dead-letter", reason: `gave up after ${input.attempts} attempts: ${reason}` };
  }
  const delay = backoffMs({ attempts: input.attempts, ...input.backoff, jitter: input.jitter });
  return { action: "retry", at: new Date(now.getTime() + delay), reason };
}
