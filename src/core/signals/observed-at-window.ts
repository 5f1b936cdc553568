import type { Signal } from "./signal-schema.js";

/** How far from its arrival a signal's observation time may be before it is refused. */
export type ObservedAtWindow = {
  /** Clock skew allowed into the future (default 1 day). */
  readonly maxFutureMs: number;
  /** The oldest observation accepted, as an age at arrival (default 400 days). */
  readonly maxAgeMs: number;
};

export const DEFAULT_OBSERVED_AT_WINDOW: ObservedAtWindow = {
  maxFutureMs: 24 * 3_600_000,
  maxAgeMs: 400 * 24 * 3_600_000,
};

const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10} h`;
const days = (ms: number) => `${Math.round(ms / 86_400_000)} days`;

/**
 * Why a signal's `observedAt` is implausible for a signal arriving at `receivedAt`, or undefined when
 * it is fine. A point dated far in the future would stay the newest point of its history forever
 * and pin its finding; a very old one is a replayed artifact or a broken clock.
 *
 * @example observedAtProblem({ observedAt: "9999-12-31T00:00:00Z" }, new Date(), DEFAULT_OBSERVED_AT_WINDOW)
 *          // "observedAt 9999-12-31T00:00:00Z is … in the future …"
 */
export function observedAtProblem(
  signal: Pick<Signal, "observedAt">,
  receivedAt: Date,
  window: ObservedAtWindow,
): string | undefined {
  const at = Date.parse(signal.observedAt);
  if (Number.isNaN(at)) return `observedAt ${signal.observedAt} is not a date`;
  const ahead = at - receivedAt.getTime();
  if (ahead > window.maxFutureMs) {
    return `observedAt ${signal.observedAt} is ${hours(ahead)} in the future, more than the ${hours(window.maxFutureMs)} of clock skew allowed; fix the sender's clock or the time it reports`;
  }
  if (-ahead > window.maxAgeMs) {
    return `observedAt ${signal.observedAt} is ${days(-ahead)} old, older than the ${days(window.maxAgeMs)} accepted; send current observations (the sources file's maxSignalAge sets the limit)`;
  }
  return undefined;
}
