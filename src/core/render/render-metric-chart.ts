import type { Evaluation } from "../triage/evaluation-schema.js";

export type ChartThreshold = { readonly min?: number; readonly max?: number };

/** Most points drawn; older ones are left out so the x-axis stays legible. */
export const MAX_CHART_POINTS = 30;

/** A number in at most 4 significant digits, without trailing zeros or exponent noise. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** Text for a quoted xychart label: quotes and brackets would end the label or the list. */
function chartLabel(text: string): string {
  return text
    .replace(/["`[\]{}<>\\]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 80);
}

/** `11-24 06:00` in UTC: the signal's time, short enough for an axis tick. */
function tick(iso: string): string {
  const d = new Date(Date.parse(iso));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function axisRange(values: readonly number[]): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = high === low ? Math.abs(high) * 0.1 || 1 : (high - low) * 0.1;
  return [Number((low - pad).toPrecision(4)), Number((high + pad).toPrecision(4))];
}

/**
 * A Mermaid `xychart-beta` of a metric's recent history in signal time (x) with the threshold drawn
 * as a flat second line; null when no point has a numeric value.
 *
 * @example renderMetricChart({ title: "fct_orders.customer_id completeness", metric: "completeness", history, threshold: { min: 0.99 } })
 */
export function renderMetricChart(input: {
  title: string;
  metric: string;
  history: readonly Evaluation[];
  threshold?: ChartThreshold;
}): string | null {
  const points = [...input.history]
    .filter(
      (e): e is Evaluation & { value: number } => typeof e.value === "number" && Number.isFinite(e.value),
    )
    .sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt))
    .slice(-MAX_CHART_POINTS);
  if (points.length === 0) return null;
  const limit = input.threshold?.min ?? input.threshold?.max;
  const values = points.map((p) => p.value);
  const [low, high] = axisRange(limit === undefined ? values : [...values, limit]);
  const lines = [
    "xychart-beta",
    `  title "${chartLabel(input.title)}"`,
    `  x-axis [${points.map((p) => `"${tick(p.observedAt)}"`).join(", ")}]`,
    `  y-axis "${chartLabel(input.metric)}" ${formatNumber(low)} --> ${formatNumber(high)}`,
    `  line [${values.map(formatNumber).join(", ")}]`,
  ];
  if (limit !== undefined) lines.push(`  line [${points.map(() => formatNumber(limit)).join(", ")}]`);
  return lines.join("\n");
}
