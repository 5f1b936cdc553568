import picomatch from "picomatch";
import type { BackflowConfig, MetricKind, Threshold } from "../config/schema.js";
import { metricPolarity, canonicalMetric as squash } from "../signals/metric-polarity.js";
import type { OperatorThreshold } from "../signals/signal-schema.js";

/** Which way a change is bad: performance scores only hurt when they drop, error rates when they rise. */
export type Direction = "both" | "down" | "up";

export type ThresholdRule = {
  readonly min?: number;
  readonly max?: number;
  readonly relative?: number;
  readonly zscore?: number;
  readonly direction: Direction;
  readonly consecutive?: number;
  readonly recoverAfter?: number;
};

/** Where a limit comes from before anything is learned. */
export type BaseThresholdOrigin = "config" | "signal" | "default" | "none";

export type ResolvedThreshold = {
  readonly rule: ThresholdRule;
  /**
   * config: `signals.thresholds`; signal: the tool's own limit; default: Backflow's per-kind default;
   * learned: relaxed by a drift issue a person closed as not planned (`learnedOver` keeps the base).
   */
  readonly from: BaseThresholdOrigin | "learned";
  /** The origin the learned tolerance relaxed; set only when `from` is "learned". */
  readonly learnedOver?: BaseThresholdOrigin;
  readonly pattern?: string;
};

/**
 * Defaults per metric kind, used when neither the configuration nor the signal gives a limit.
 * completeness: null rate at most 1% (a completeness fraction at least 0.99; a null count 30% off its
 * baseline); volume: 30% off the baseline; freshness: the contract's latency SLA; consistency: any
 * failing row; drift: |z| above 3; performance: 5% worse than the baseline; custom: |z| above 3.
 */
export const DEFAULT_THRESHOLDS = {
  completenessMin: 0.99,
  nullRateMax: 0.01,
  volumeRelative: 0.3,
  consistencyMax: 0,
  driftZscore: 3,
  performanceRelative: 0.05,
  customZscore: 3,
} as const;

const HIGHER_IS_BETTER = /accuracy|auc|roc|f1|precision|recall|r2|completeness/;
const LOWER_IS_BETTER = /error|loss|rmse|mae|mape|brier|ece|calibration/;

/** The bad direction of a metric by its name: `accuracy` hurts down, `error_rate` up, others both ways. */
export function directionOf(metric: string): Direction {
  const key = metric.toLowerCase();
  if (LOWER_IS_BETTER.test(key)) return "up";
  if (HIGHER_IS_BETTER.test(key)) return "down";
  return "both";
}

const isGlob = (pattern: string) => /[*?[\]{}!]/.test(pattern);

function specificity(rule: Threshold, metric: string): number | undefined {
  const metricScore = squash(rule.metric) === squash(metric) ? 2 : 1;
  const datasetScore = isGlob(rule.dataset) ? 2 : 4;
  const columnScore = rule.column === undefined ? 0 : isGlob(rule.column) ? 2 : 4;
  return (columnScore + datasetScore) * 10_000 + metricScore * 1_000 + rule.dataset.length;
}

function matches(pattern: string, value: string): boolean {
  return picomatch.isMatch(value, pattern, { nocase: true, dot: true });
}

/**
 * Whether a rule written for a metric family may judge another metric of it. Relative and z-score
 * limits are scale-free, so they may. Completeness has rates of both senses and counts: a `min` reads
 * as a rate where higher is better (`completeness`, `not_null_rate`), a lone `max` as one where lower
 * is better (`null_rate`, `missing_percent`), and neither judges a count (`missing_count`), so
 * `min: 0.99` never judges a null rate of 0.001 or 37 missing rows.
 */
function familyRuleFits(
  rule: Threshold,
  target: { metric: string; kind: MetricKind; unit?: string },
): boolean {
  if ((rule.min === undefined && rule.max === undefined) || target.kind !== "completeness") return true;
  const name = squash(target.metric);
  if (target.unit === "rows" || target.unit === "count" || name.includes("count")) return false;
  const lowerIsBetter = metricPolarity(target.metric) === "down";
  const ruleLowerIsBetter = rule.min === undefined;
  return lowerIsBetter === ruleLowerIsBetter;
}

function configRule(
  config: BackflowConfig,
  target: { tableId: string; column?: string; metric: string; kind: MetricKind; unit?: string },
): { rule: Threshold; score: number } | undefined {
  let best: { rule: Threshold; score: number } | undefined;
  for (const rule of config.signals.thresholds) {
    const byName = squash(rule.metric) === squash(target.metric);
    const metricOk = byName || (squash(rule.metric) === target.kind && familyRuleFits(rule, target));
    const columnOk =
      rule.column === undefined || (target.column !== undefined && matches(rule.column, target.column));
    if (!metricOk || !columnOk || !matches(rule.dataset, target.tableId)) continue;
    const score = specificity(rule, target.metric) ?? 0;
    if (!best || score > best.score) best = { rule, score };
  }
  return best;
}

/** A signal's ODCS operator as min/max bounds (strict and inclusive bounds both count as limits). */
export function operatorRule(op: OperatorThreshold, direction: Direction): ThresholdRule | undefined {
  const min = op.mustBeGreaterOrEqualTo ?? op.mustBeGreaterThan ?? op.mustBeBetween?.[0] ?? op.mustBe;
  const max = op.mustBeLessOrEqualTo ?? op.mustBeLessThan ?? op.mustBeBetween?.[1] ?? op.mustBe;
  if (min === undefined && max === undefined) return undefined;
  return { min, max, direction };
}

function defaultRule(
  kind: MetricKind,
  metric: string,
  unit: string | undefined,
  slaHours?: number,
): ThresholdRule | undefined {
  const direction = directionOf(metric);
  const key = squash(metric);
  switch (kind) {
    case "completeness":
      if (key.includes("completeness")) return { min: DEFAULT_THRESHOLDS.completenessMin, direction };
      if (unit === "rows" || unit === "count")
        return { relative: DEFAULT_THRESHOLDS.volumeRelative, direction: "up" };
      return { max: DEFAULT_THRESHOLDS.nullRateMax, direction };
    case "volume":
      return { relative: DEFAULT_THRESHOLDS.volumeRelative, direction };
    case "freshness":
      return slaHours === undefined ? undefined : { max: slaHours, direction: "up" };
    case "consistency":
      return { max: DEFAULT_THRESHOLDS.consistencyMax, direction: "up" };
    case "drift":
      return { zscore: DEFAULT_THRESHOLDS.driftZscore, direction };
    case "performance":
      return { relative: DEFAULT_THRESHOLDS.performanceRelative, direction };
    default:
      return { zscore: DEFAULT_THRESHOLDS.customZscore, direction };
  }
}

/**
 * The threshold that applies to (table, column, metric): the most specific `signals.thresholds` entry
 * (exact column beats glob beats none; exact dataset beats glob; metric name beats metric kind), else
 * the limit the signal carries, else the default for the metric kind.
 */
export function resolveThreshold(input: {
  config: BackflowConfig;
  tableId: string;
  column?: string;
  metric: string;
  kind: MetricKind;
  unit?: string;
  signalThreshold?: OperatorThreshold;
  /** The contract's freshness (latency) SLA in hours, when a contract states one. */
  freshnessSlaHours?: number;
}): ResolvedThreshold {
  const direction = directionOf(input.metric);
  const configured = configRule(input.config, input);
  if (configured) {
    const { min, max, relative, zscore, consecutive, recoverAfter } = configured.rule;
    return {
      rule: { min, max, relative, zscore, consecutive, recoverAfter, direction },
      from: "config",
      pattern: configured.rule.dataset,
    };
  }
  const fromSignal = input.signalThreshold && operatorRule(input.signalThreshold, direction);
  if (fromSignal) return { rule: fromSignal, from: "signal" };
  const fallback = defaultRule(input.kind, input.metric, input.unit, input.freshnessSlaHours);
  return fallback ? { rule: fallback, from: "default" } : { rule: { direction }, from: "none" };
}
