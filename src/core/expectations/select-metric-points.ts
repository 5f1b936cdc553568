import { MetricKindSchema } from "../config/schema.js";
import { codeSpan } from "../render/escape-markdown.js";
import { canonicalMetric as canonical, metricPolarity, type Polarity } from "../signals/metric-polarity.js";
import { metricKindOf } from "../signals/signal-schema.js";
import { normalizeValue } from "../triage/evaluate-threshold.js";
import type { MetricPoint } from "./evaluate-expectation.js";

export type EvaluationPoint = {
  readonly observedAt: string;
  readonly metric: string;
  readonly value?: number;
  readonly unit?: string;
};

export type MetricSelection = {
  readonly points: MetricPoint[];
  /** The metric names the evaluations carry, sorted. */
  readonly seen: readonly string[];
  /** Why the evaluations could not be used, when none were. */
  readonly mismatch?: string;
};

/**
 * The points an expectation on `metric` reads from its fingerprint's evaluations. Points of the same
 * metric name (compared without case or punctuation) always count. A family name (`completeness`,
 * `volume`, …) stands for another metric name only when the evaluations carry exactly one name and
 * it is of that family and gets better in the same direction; otherwise no points, with the reason.
 * Values are converted to Backflow's units (a completeness percent becomes a fraction, freshness
 * hours) when the signal said its unit; points stored before units were kept are taken as sent.
 */
export function selectMetricPoints(input: {
  metric: string;
  evaluations: readonly EvaluationPoint[];
}): MetricSelection {
  const wanted = canonical(input.metric);
  const seen = [...new Set(input.evaluations.map((e) => e.metric))].sort();
  // Values in Backflow's units (rates as fractions, freshness in hours), as thresholds read them.
  const pick = (accept: (metric: string) => boolean): MetricPoint[] =>
    input.evaluations.flatMap((e) =>
      e.value !== undefined && accept(e.metric)
        ? [{ observedAt: e.observedAt, value: normalizeValue(e.value, metricKindOf(e.metric), e.unit) }]
        : [],
    );
  const exact = pick((m) => canonical(m) === wanted);
  if (exact.length > 0 || seen.length === 0) return { points: exact, seen };
  const family = MetricKindSchema.safeParse(wanted);
  const names = seen.map(codeSpan).join(", ");
  if (!family.success || family.data === "custom")
    return { points: [], seen, mismatch: `its signals carry ${names}, not ${codeSpan(input.metric)}` };
  const [only, ...others] = seen;
  if (only === undefined || others.length > 0)
    return {
      points: [],
      seen,
      mismatch: `its signals carry several metrics (${names}); name one of them instead of ${codeSpan(input.metric)}`,
    };
  if (metricKindOf(only) !== family.data)
    return { points: [], seen, mismatch: `its signals carry ${names}, which is not a ${family.data} metric` };
  const polarity = metricPolarity(only);
  if (polarity !== metricPolarity(input.metric))
    return {
      points: [],
      seen,
      mismatch: `its signals carry ${names}, which does not read like ${codeSpan(input.metric)} (${describe(polarity)}); name ${codeSpan(only)} with a bound in its own terms`,
    };
  return { points: pick((m) => m === only), seen };
}

function describe(polarity: Polarity): string {
  if (polarity === "up") return "higher is better";
  if (polarity === "down") return "lower is better";
  return "its direction is unknown";
}
