/** Retry timing for failed jobs: exponential backoff with full jitter (AWS architecture blog's "Full Jitter"). */

export type RetryInput = {
  /** Attempts made so far, including the one that just failed (1 after the first failure). */
  readonly attempts: number;
  readonly now: Date;
  readonly baseMs: number;
  readonly maxMs: number;
  /** A number in [0, 1); Math.random in production, fixed in tests. */
  readonly jitter: () => number;
};

/**
 * When to try again: a uniform delay in [0, min(maxMs, baseMs * 2^(attempts - 1))).
 * @example nextRetryAt({ attempts: 3, now, baseMs: 1000, maxMs: 60000, jitter: () => 0.5 }) // now + 2s
 */
export function nextRetryAt(input: RetryInput): Date {
  const exponent = Math.max(0, input.attempts - 1);
  // Cap the exponent before Math.pow so a large attempt count cannot overflow to Infinity.
  const ceiling = Math.min(input.maxMs, input.baseMs * 2 ** Math.min(exponent, 52));
  const fraction = Math.min(Math.max(input.jitter(), 0), 1);
  return new Date(input.now.getTime() + Math.floor(ceiling * fraction));
}

/** True when a job that has made `attempts` attempts must not be retried again. */
export function shouldDeadLetter(attempts: number, maxAttempts: number): boolean {
  return attempts >= maxAttempts;
}
