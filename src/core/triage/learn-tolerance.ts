import type { MetricKind } from "../config/schema.js";
import {
  badness,
  baselineChange,
  healthyValues,
  inSignalUnits,
  MIN_BASELINE_POINTS,
  MIN_ZSCORE_POINTS,
  normalizeValue,
  zscoreOf,
} from "./evaluate-threshold.js";
import type { Evaluation } from "./evaluation-schema.js";
import { DEFAULT_RECOVER_AFTER } from "./hysteresis.js";
import type { Bounds } from "./learned-tolerance.js";
import type { Direction, ResolvedThreshold } from "./thresholds.js";

/**
 * A learned limit sits past the worst value by this share of the gap between the old limit and that
 * value. The gap is the excursion the person accepted, in the limit's own unit, so one rule fits
 * fractions, row counts, hours and z-scores alike; it is never zero (a breach is strictly past its
 * limit); and it tolerates a little worse than what was seen while a much worse value still breaches.
 * A fixed relative margin (1% of the value) would vanish for values near zero and mean nothing for z.
 */
export const LEARN_MARGIN = 0.05;

export type LearnOutcome =
  | {
      readonly learned: true;
      readonly old: Bounds;
      readonly worst: Bounds;
      readonly bounds: Bounds;
      readonly breaches: number;
    }
  | { readonly learned: false; readonly reason: string };

const time = (e: Evaluation) => Date.parse(e.observedAt);

/**
 * Indices of the breaches of the latest breach episode: walking back from the newest point, it ends
 * where `recoverAfter` healthy points in a row had closed the finding. Expected points are skipped.
 */
export function latestEpisode(ordered: readonly Evaluation[], recoverAfter: number): number[] {
  const picked: number[] = [];
  let healthy = 0;
  for (let i = ordered.length - 1; i >= 0; i--) {
    const e = ordered[i];
    if (!e || e.expected) continue;
    if (e.breached) {
      healthy = 0;
      picked.push(i);
    } else if (++healthy >= recoverAfter && picked.length > 0) break;
  }
  return picked.reverse();
}

type Worst = { min?: number; max?: number; relative?: number; zscore?: number };

/** Keeps the worse of `value` and what `worst` holds for `key`; true, to count the point as past a limit. */
function worseOf(worst: Worst, key: keyof Worst, value: number, lower: boolean): true {
  const current = worst[key];
  if (current === undefined || (lower ? value < current : value > current)) worst[key] = value;
  return true;
}

/** Moves `worst` a LEARN_MARGIN of its gap from `old` further out (down for a min, up otherwise). */
function relax(old: number, worst: number, down: boolean): number {
  const margin = LEARN_MARGIN * Math.abs(worst - old);
  return down ? worst - margin : worst + margin;
}

type Limits = Pick<ResolvedThreshold, "from" | "learnedOver"> & Bounds;

/** Per limit, the worst value (or relative change, or |z|) past it among the episode's breaches. */
function worstPastLimits(input: {
  ordered: readonly Evaluation[];
  indices: readonly number[];
  threshold: Limits;
  metric: string;
  direction: Direction;
  normalize: (value: number) => number;
}): { worst: Worst; breaches: number } {
  const { ordered, threshold, direction, normalize } = input;
  const raw = inSignalUnits(threshold);
  const worst: Worst = {};
  let breaches = 0;
  for (const i of input.indices) {
    const value = ordered[i]?.value ?? 0;
    const v = raw ? value : normalize(value);
    // The baseline of the breach's own time: healthy points before it, as triage saw them.
    const healthy = healthyValues(ordered.slice(0, i), input.metric, normalize);
    let past = false;
    if (threshold.min !== undefined && v < threshold.min) past = worseOf(worst, "min", v, true);
    if (threshold.max !== undefined && v > threshold.max) past = worseOf(worst, "max", v, false);
    if (threshold.relative !== undefined && healthy.length >= MIN_BASELINE_POINTS) {
      const bad = badness(direction, baselineChange(v, healthy).change);
      if (Number.isFinite(bad) && bad > threshold.relative) past = worseOf(worst, "relative", bad, false);
    }
    if (threshold.zscore !== undefined && healthy.length >= MIN_ZSCORE_POINTS) {
      const bad = badness(direction, zscoreOf(v, healthy).z);
      if (Number.isFinite(bad) && bad > threshold.zscore) past = worseOf(worst, "zscore", bad, false);
    }
    if (past) breaches++;
  }
  return { worst, breaches };
}

/**
 * What closing a drift issue as not planned teaches: each limit the latest breach episode went past
 * (up to `closedAt`) is relaxed just past the worst value seen — a `min` moves down, a `max` up, a
 * relative or z-score limit widens to the worst change against the baseline of its time. Breaches
 * judged by the source's own status (a failing check) have no limit to relax and teach nothing.
 * `threshold` is the one in force at the close (a learned one relaxes further); `direction` and
 * `recoverAfter` come from the resolved rule.
 * @example learnTolerance({ threshold: { from: "config", min: 0.99 }, metric: "completeness", ... })
 */
export function learnTolerance(input: {
  threshold: Limits;
  metric: string;
  kind: MetricKind;
  unit?: string;
  direction: Direction;
  evaluations: readonly Evaluation[];
  closedAt: string;
  recoverAfter?: number;
}): LearnOutcome {
  const { threshold, metric } = input;
  const closedAt = Date.parse(input.closedAt);
  const ordered = input.evaluations
    .filter((e) => e.metric === metric && time(e) <= closedAt)
    .sort((a, b) => time(a) - time(b));
  const episode = latestEpisode(ordered, input.recoverAfter ?? DEFAULT_RECOVER_AFTER);
  const indices = episode.filter((i) => ordered[i]?.value !== undefined);
  if (indices.length === 0)
    return { learned: false, reason: "no measured breach was recorded while the issue was open" };
  const { worst, breaches } = worstPastLimits({
    ordered,
    indices,
    threshold,
    metric,
    direction: input.direction,
    normalize: (v) => normalizeValue(v, input.kind, input.unit),
  });
  const old: Bounds = {};
  const bounds: Bounds = {};
  for (const key of ["min", "max", "relative", "zscore"] as const) {
    const limit = threshold[key];
    const seen = worst[key];
    if (limit === undefined || seen === undefined) continue;
    old[key] = limit;
    bounds[key] = relax(limit, seen, key === "min");
  }
  if (Object.keys(bounds).length === 0)
    return {
      learned: false,
      reason:
        "its breaches were judged by the source's own status or could not be measured against a limit, so there is no limit to relax",
    };
  return { learned: true, old, worst, bounds, breaches };
}
