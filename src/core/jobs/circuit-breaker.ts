/**
 * A circuit breaker as plain data (Nygard's Release It!, the Hystrix states): `closed` lets work
 * through and counts consecutive outage failures; at the threshold it opens for a cooldown; then
 * `half-open` lets one probe through, whose success closes it and whose failure reopens it for a
 * doubled cooldown. Pure: the caller passes the time and keeps the returned state.
 */

export type BreakerStatus = "closed" | "open" | "half-open";

export type BreakerState = {
  readonly status: BreakerStatus;
  readonly consecutiveFailures: number;
  /** Times it opened since it last closed; sets the next cooldown. */
  readonly opens: number;
  /** While open: when a probe may go through (epoch ms). */
  readonly retryAt: number | null;
  /** While half-open: whether the one probe is out. */
  readonly probing: boolean;
};

export type BreakerSettings = {
  /** Consecutive outage failures that open it. */
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly maxCooldownMs: number;
};

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  failureThreshold: 5,
  cooldownMs: 30_000,
  maxCooldownMs: 5 * 60_000,
};

export const CLOSED_BREAKER: BreakerState = {
  status: "closed",
  consecutiveFailures: 0,
  opens: 0,
  retryAt: null,
  probing: false,
};

function open(state: BreakerState, now: number, settings: BreakerSettings): BreakerState {
  const opens = state.opens + 1;
  const cooldown = Math.min(settings.maxCooldownMs, settings.cooldownMs * 2 ** Math.min(opens - 1, 30));
  return {
    status: "open",
    consecutiveFailures: state.consecutiveFailures,
    opens,
    retryAt: now + cooldown,
    probing: false,
  };
}

/**
 * The state after one request's outcome: a success (any answer below 500) closes it; an outage
 * failure (no answer, or 5xx) counts, and opens it at the threshold or when a probe fails.
 * @example recordOutcome(CLOSED_BREAKER, "failure", now, DEFAULT_BREAKER_SETTINGS).consecutiveFailures // 1
 */
export function recordOutcome(
  state: BreakerState,
  outcome: "success" | "failure",
  now: number,
  settings: BreakerSettings,
): BreakerState {
  if (outcome === "success") return CLOSED_BREAKER;
  const counted = { ...state, consecutiveFailures: state.consecutiveFailures + 1 };
  if (state.status === "half-open") return open(counted, now, settings);
  if (state.status === "open") return counted;
  return counted.consecutiveFailures >= settings.failureThreshold ? open(counted, now, settings) : counted;
}

/**
 * Whether one more unit of GitHub work may start at `now`, and the state after it starts. An open
 * breaker past its cooldown turns half-open and admits exactly one probe.
 */
export function admit(
  state: BreakerState,
  now: number,
): { readonly admitted: boolean; readonly state: BreakerState } {
  if (state.status === "closed") return { admitted: true, state };
  if (state.status === "open") {
    if (state.retryAt !== null && now < state.retryAt) return { admitted: false, state };
    return { admitted: true, state: { ...state, status: "half-open", retryAt: null, probing: true } };
  }
  if (state.probing) return { admitted: false, state };
  return { admitted: true, state: { ...state, probing: true } };
}

/** The probe's work ended without telling (it made no request): another probe may go. */
export function probeEnded(state: BreakerState): BreakerState {
  return state.status === "half-open" ? { ...state, probing: false } : state;
}
