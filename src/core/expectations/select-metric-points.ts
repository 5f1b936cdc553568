import { MetricKindSchema } from "../config/schema.js";
import { codeSpan } from "../render/escape-markdown.js";
import { metricKindOf } from "../signals/signal-schema.js";
import type { MetricPoint } from "./evaluate-expectation.js";

/** Which way a metric's values get better: `up` (completeness), `down` (null rate, lag) or unknown. */
export type Polarity = "up" | "down" | "unknown";

const canonical = (metric: string) => metric.toLowerCase().replace(/[^a-z0-9]/g, "");

// Checked in this order on the canonical name: "not_null_rate" is a completeness (up) before it is a
// null rate (down), and "invalid" is bad before "valid" is good.
const POLARITY_PATTERNS: ReadonlyArray<readonly [Exclude<Polarity, "unknown">, RegExp]> = [
  ["up", /notnull|nonnull|complete|present|populated|filled/],
  [
    "down",
    /null|missing|empty|blank|fail|error|invalid|duplicate|orphan|mismatch|violation|loss|rmse|mae|mape|brier|^ece$|fresh|latency|lag|stale|^age|delay|^late|drift|^psi|^kl|divergence|wasserstein/,
  ],
  ["up", /accuracy|^auc|roc|^f1|precision|recall|^r2|valid|pass|uniqueness/],
];

/**
 * Which way a metric's values get better, from its name. `completeness` goes up, `null_rate` down:
 * they are the same family but one is the other's inverse, so one must never stand for the other.
 * @example metricPolarity("null_rate") // "down"
 */
export function metricPolarity(metric: string): Polarity {
  const key = canonical(metric);
  return POLARITY_PATTERNS.find(([, pattern]) => pattern.test(key))?.[0] ?? "unknown";
}

export type EvaluationPoint = {
  readonly observedAt: string;
  readonly metric: string;
  readonly value?: number;
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
 * Values are taken as the signals sent them: evaluations keep no unit to convert from.
 */
export function selectMetricPoints(input: {
  metric: string;
  evaluations: readonly EvaluationPoint[];
}): MetricSelection {
  const wanted = canonical(input.metric);
  const seen = [...new Set(input.evaluations.map((e) => e.metric))].sort();
  const pick = (accept: (metric: string) => boolean): MetricPoint[] =>
    input.evaluations.flatMap((e) =>
      e.value !== undefined && accept(e.metric) ? [{ observedAt: e.observedAt, value: e.value }] : [],
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
