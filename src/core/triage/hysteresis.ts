import type { Severity } from "../signals/signal-schema.js";
import type { Evaluation } from "./evaluation-schema.js";

export type Transition = "open" | "update" | "resolve" | "none";

export type HysteresisDecision = {
  readonly action: Transition;
  /** Whether the update deserves a comment (severity changed, or the quiet period is over). */
  readonly comment: boolean;
  readonly reason: string;
};

/** Breaches in a row before a finding opens: one for errors, two otherwise. Healthy points to close. */
export function defaultConsecutive(severity: Severity): number {
  return severity === "error" ? 1 : 2;
}
export const DEFAULT_RECOVER_AFTER = 2;

const time = (e: Evaluation) => Date.parse(e.observedAt);

type Replay = {
  open: boolean;
  openedAt?: number;
  breaches: number;
  healthy: number;
  lastBreach?: Evaluation;
};

/** A stored point dated this far after the newest signal's arrival is ignored: it cannot pin a finding. */
export const FUTURE_POINT_TOLERANCE_MS = 24 * 3_600_000;

function step(state: Replay, e: Evaluation, need: (e: Evaluation) => number, recoverAfter: number): Replay {
  // An expected (annotated) breach neither counts towards opening nor towards recovery.
  if (e.expected) return state;
  // The sender's own resolution (Alertmanager `resolved`, a passing check) recovers at once: such
  // senders say it once, so waiting for `recoverAfter` healthy points would keep the finding open.
  if (e.resolvedBySource && !e.breached) {
    return {
      open: false,
      breaches: 0,
      healthy: Math.max(state.healthy + 1, recoverAfter),
      lastBreach: state.lastBreach,
    };
  }
  const breaches = e.breached ? state.breaches + 1 : 0;
  const healthy = e.breached ? 0 : state.healthy + 1;
  const lastBreach = e.breached ? e : state.lastBreach;
  if (!state.open && e.breached && breaches >= need(e))
    return { open: true, openedAt: time(e), breaches, healthy, lastBreach };
  if (state.open && healthy >= recoverAfter) return { open: false, breaches, healthy, lastBreach };
  return { ...state, breaches, healthy, lastBreach };
}

/**
 * What to do with a fingerprint's finding after its latest evaluation. The evaluations are replayed
 * in signal time (observedAt), never wall-clock time: a finding opens after `consecutive` breaches in
 * a row and resolves after `recoverAfter` healthy points in a row, so a flapping metric neither opens
 * nor closes on every swing. `currentlyOpen` (from the store) overrides the replayed state before the
 * latest point, e.g. when a person closed the issue. Repeats within `suppressMs` of the last comment
 * update the finding silently. An explicit resolution by the sender (`resolvedBySource`) resolves at
 * once, whatever `recoverAfter` says. Points observed more than a day after `arrivedAt` (when the
 * newest signal arrived) are ignored, so no point dated in the future can stay "latest" forever.
 */
export function decideTransition(input: {
  evaluations: readonly Evaluation[];
  consecutive?: number;
  recoverAfter?: number;
  suppressMs: number;
  currentlyOpen?: boolean;
  lastCommentAt?: string;
  arrivedAt?: string;
}): HysteresisDecision {
  const horizon = input.arrivedAt ? Date.parse(input.arrivedAt) + FUTURE_POINT_TOLERANCE_MS : Number.NaN;
  const plausible = Number.isNaN(horizon)
    ? input.evaluations
    : input.evaluations.filter((e) => !(time(e) > horizon));
  const ordered = [...plausible].sort((a, b) => time(a) - time(b));
  const latest = ordered.at(-1);
  if (!latest) return { action: "none", comment: false, reason: "no evaluations" };
  const need = (e: Evaluation) => input.consecutive ?? defaultConsecutive(e.severity);
  const recoverAfter = input.recoverAfter ?? DEFAULT_RECOVER_AFTER;
  let before: Replay = { open: false, breaches: 0, healthy: 0 };
  for (const e of ordered.slice(0, -1)) before = step(before, e, need, recoverAfter);
  if (input.currentlyOpen !== undefined && input.currentlyOpen !== before.open) {
    before = {
      ...before,
      open: input.currentlyOpen,
      openedAt: input.currentlyOpen ? time(latest) : undefined,
    };
  }
  const after = step(before, latest, need, recoverAfter);
  if (latest.expected) {
    return {
      action: before.open ? "update" : "none",
      comment: false,
      reason: "the breach is expected by an annotation",
    };
  }
  if (!before.open && after.open)
    return { action: "open", comment: true, reason: `${after.breaches} breach(es) in a row` };
  if (before.open && !after.open) {
    const reason = latest.resolvedBySource
      ? "the source reports it resolved"
      : `${after.healthy} healthy point(s) in a row`;
    return { action: "resolve", comment: true, reason };
  }
  if (!after.open) {
    const reason = latest.breached
      ? `${after.breaches} of ${need(latest)} breaches in a row needed to open`
      : "healthy and no finding is open";
    return { action: "none", comment: false, reason };
  }
  if (!latest.breached) {
    return {
      action: "update",
      comment: false,
      reason: `${after.healthy} of ${recoverAfter} healthy points needed to resolve`,
    };
  }
  const severityChanged = before.lastBreach !== undefined && before.lastBreach.severity !== latest.severity;
  const anchor = input.lastCommentAt ? Date.parse(input.lastCommentAt) : before.openedAt;
  const quietOver = anchor === undefined || time(latest) - anchor >= input.suppressMs;
  const comment = severityChanged || quietOver;
  const reason = severityChanged
    ? `severity changed from ${before.lastBreach?.severity} to ${latest.severity}`
    : quietOver
      ? "still breached after the quiet period"
      : "repeat within the quiet period";
  return { action: "update", comment, reason };
}

/** `30m`, `6h`, `2d` → milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  if (!match) return 0;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
