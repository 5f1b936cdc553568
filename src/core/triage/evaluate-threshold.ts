import type { MetricKind } from "../config/schema.js";
import type { Severity, Signal } from "../signals/signal-schema.js";
import type { Evaluation } from "./evaluation-schema.js";
import type { Direction, ResolvedThreshold, ThresholdRule } from "./thresholds.js";

/** A baseline needs this many healthy points; a z-score this many. */
export const MIN_BASELINE_POINTS = 3;
export const MIN_ZSCORE_POINTS = 5;
/** Only the most recent healthy points describe "normal". */
const HISTORY_WINDOW = 30;

export type ThresholdVerdict = {
  readonly breached: boolean;
  /** A sentence with the observed value against the limit, e.g. "nullRate = 0.042 is above the maximum 0.01". */
  readonly reason: string;
  readonly severity: Severity;
  readonly observed?: number;
};

const HOURS: Record<string, number> = { ms: 1 / 3_600_000, s: 1 / 3600, m: 1 / 60, min: 1 / 60, h: 1, d: 24 };

/**
 * The value in the unit Backflow's limits use: completeness rates as fractions (percent ÷ 100) and
 * freshness in hours. Other kinds keep their unit.
 */
export function normalizeValue(value: number, kind: MetricKind, unit?: string): number {
  const u = unit?.toLowerCase();
  if (kind === "completeness" && (u === "percent" || u === "%")) return value / 100;
  if (kind === "freshness" && u && HOURS[u] !== undefined) return value * (HOURS[u] ?? 1);
  return value;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : Number(n.toPrecision(4)).toString());

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function checkAbsolute(rule: ThresholdRule, metric: string, v: number): string | undefined {
  if (rule.max !== undefined && v > rule.max)
    return `${metric} = ${fmt(v)} is above the maximum ${fmt(rule.max)}`;
  if (rule.min !== undefined && v < rule.min)
    return `${metric} = ${fmt(v)} is below the minimum ${fmt(rule.min)}`;
  return undefined;
}

/** How far a value is from the median of recent healthy values, as a signed fraction of it. */
export function baselineChange(v: number, healthy: readonly number[]): { baseline: number; change: number } {
  const baseline = median(healthy.slice(-10));
  const change =
    baseline === 0 ? (v === 0 ? 0 : Number.POSITIVE_INFINITY) : (v - baseline) / Math.abs(baseline);
  return { baseline, change };
}

/** The z-score of a value against healthy values (±∞ when they never varied and it differs). */
export function zscoreOf(v: number, healthy: readonly number[]): { mean: number; z: number } {
  const mean = healthy.reduce((a, b) => a + b, 0) / healthy.length;
  const sd = Math.sqrt(healthy.reduce((a, b) => a + (b - mean) ** 2, 0) / (healthy.length - 1));
  const z = sd === 0 ? (v === mean ? 0 : Math.sign(v - mean) * Number.POSITIVE_INFINITY) : (v - mean) / sd;
  return { mean, z };
}

/** A signed deviation seen from the metric's bad direction: positive is worse. */
export function badness(direction: Direction, deviation: number): number {
  return direction === "down" ? -deviation : direction === "up" ? deviation : Math.abs(deviation);
}

function checkRelative(rule: ThresholdRule, metric: string, v: number, healthy: readonly number[]) {
  if (rule.relative === undefined) return { note: undefined, breach: undefined };
  if (healthy.length < MIN_BASELINE_POINTS) {
    return {
      note: `${healthy.length} of ${MIN_BASELINE_POINTS} healthy points needed for a baseline`,
      breach: undefined,
    };
  }
  const { baseline, change } = baselineChange(v, healthy);
  const bad = badness(rule.direction, change);
  const pct = Number.isFinite(change) ? `${fmt(Math.abs(change) * 100)}%` : "infinitely";
  const where = `${metric} = ${fmt(v)} is ${pct} ${change < 0 ? "below" : "above"} the baseline ${fmt(baseline)}`;
  return bad > rule.relative
    ? { note: undefined, breach: `${where} (limit ${fmt(rule.relative * 100)}%)` }
    : { note: `${where}, within ${fmt(rule.relative * 100)}%`, breach: undefined };
}

function checkZscore(rule: ThresholdRule, metric: string, v: number, healthy: readonly number[]) {
  if (rule.zscore === undefined) return { note: undefined, breach: undefined };
  if (healthy.length < MIN_ZSCORE_POINTS) {
    return {
      note: `${healthy.length} of ${MIN_ZSCORE_POINTS} points needed for a z-score`,
      breach: undefined,
    };
  }
  const { mean, z } = zscoreOf(v, healthy);
  const bad = badness(rule.direction, z);
  const where = `${metric} = ${fmt(v)} has z = ${Number.isFinite(z) ? fmt(z) : `${z > 0 ? "+" : "-"}∞`} against a mean of ${fmt(mean)} over ${healthy.length} points`;
  return bad > rule.zscore
    ? { note: undefined, breach: `${where} (limit ${fmt(rule.zscore)})` }
    : { note: `${where}, within ${fmt(rule.zscore)}`, breach: undefined };
}

/**
 * The healthy values that describe "normal" for a metric, oldest first in signal time (not arrival
 * order), each passed through `normalize`; only the most recent HISTORY_WINDOW count.
 */
export function healthyValues(
  history: readonly Evaluation[],
  metric: string,
  normalize: (value: number) => number,
): number[] {
  return [...history]
    .sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt))
    .filter((e) => !e.breached && e.value !== undefined && e.metric === metric)
    .map((e) => normalize(e.value ?? 0))
    .slice(-HISTORY_WINDOW);
}

/** Whether a threshold's bounds are in the signal's own unit (a tool's limit) rather than Backflow's. */
export function inSignalUnits(threshold: Pick<ResolvedThreshold, "from" | "learnedOver">): boolean {
  return (threshold.learnedOver ?? threshold.from) === "signal";
}

const VERDICT_TYPES = new Set(["check_failed", "run_failed", "schema_change"]);

/** The sender says it recovered (not a bare measurement whose status is no verdict). */
export function isExplicitResolution(signal: Pick<Signal, "status" | "measuredOnly">): boolean {
  return signal.status === "resolved" && signal.measuredOnly !== true;
}

/**
 * Judges one signal against its threshold and the fingerprint's history. A check, run or schema
 * signal is judged by its own status (a firing `check_failed` is a breach by itself). A measurement
 * is judged by the rule: absolute min/max, relative to the median of recent healthy values, or a
 * z-score over them; when no rule can be evaluated yet, the signal's own status decides.
 */
export function evaluateThreshold(input: {
  signal: Signal;
  threshold: ResolvedThreshold;
  history: readonly Evaluation[];
}): ThresholdVerdict {
  const { signal, threshold } = input;
  const m = signal.measurement;
  // A sender that only measured gave no verdict: without an evaluable limit its value is no breach
  // (counting it as one would keep the baseline from ever forming).
  const firing = signal.status === "firing" && signal.measuredOnly !== true;
  const bySource = (why: string): ThresholdVerdict => ({
    breached: firing,
    reason: `${firing ? "the source reports" : signal.measuredOnly ? "measured:" : "the source reports it resolved:"} ${signal.message || signal.type}${why}`,
    severity: signal.severity,
    observed: m?.value,
  });
  // An explicit resolution is a recovery whatever value it carries (Prometheus keeps the last firing value).
  if (isExplicitResolution(signal)) return { ...bySource(""), breached: false };
  if (VERDICT_TYPES.has(signal.type) || m?.value === undefined) return bySource("");
  const kind = m.kind;
  const value = inSignalUnits(threshold) ? m.value : normalizeValue(m.value, kind, m.unit);
  const healthy = healthyValues(input.history, m.metric, (v) => normalizeValue(v, kind, m.unit));
  const rule = threshold.rule;
  const absolute = checkAbsolute(rule, m.metric, value);
  const relative = checkRelative(rule, m.metric, value, healthy);
  const zscore = checkZscore(rule, m.metric, value, healthy);
  const breach = absolute ?? relative.breach ?? zscore.breach;
  const severity: Severity = signal.severity === "info" ? "warning" : signal.severity;
  if (breach) return { breached: true, reason: breach, severity, observed: value };
  const evaluable =
    rule.min !== undefined ||
    rule.max !== undefined ||
    (rule.relative !== undefined && !relative.note?.includes("needed")) ||
    (rule.zscore !== undefined && !zscore.note?.includes("needed"));
  if (!evaluable) {
    const why = [relative.note, zscore.note].filter(Boolean).join("; ");
    return bySource(` (no limit could be evaluated${why ? `: ${why}` : ""})`);
  }
  const within = [relative.note, zscore.note].filter(Boolean).join("; ");
  const bounds = [
    rule.min !== undefined && `≥ ${fmt(rule.min)}`,
    rule.max !== undefined && `≤ ${fmt(rule.max)}`,
  ]
    .filter(Boolean)
    .join(" and ");
  return {
    breached: false,
    reason: within || `${m.metric} = ${fmt(value)} is within ${bounds}`,
    severity: signal.severity,
    observed: value,
  };
}
