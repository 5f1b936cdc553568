/** Which way a metric's values get better: `up` (completeness), `down` (null rate, lag) or unknown. */
export type Polarity = "up" | "down" | "unknown";

/** A metric name without case or punctuation, as metric names are compared. */
export const canonicalMetric = (metric: string) => metric.toLowerCase().replace(/[^a-z0-9]/g, "");

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
  const key = canonicalMetric(metric);
  return POLARITY_PATTERNS.find(([, pattern]) => pattern.test(key))?.[0] ?? "unknown";
}
