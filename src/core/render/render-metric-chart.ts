import type { Evaluation } from "../triage/evaluation-schema.js";
import { formatFixed, formatNumber, formatUtcMinute } from "./format-number.js";

export type ChartThreshold = { readonly min?: number; readonly max?: number };

/** Most points drawn; older ones are left out so the x-axis stays legible. */
export const MAX_CHART_POINTS = 30;
/** Most x labels written; the others stay blank so labels never run together in a 760 px column. */
export const MAX_X_LABELS = 6;

/** The metric line and the threshold lines, in GitHub's own blue and red. */
const METRIC_COLOUR = "#0969da";
const MIN_COLOUR = "#cf222e";
const MAX_COLOUR = "#bf8700";

type Point = Evaluation & { value: number };

/** The finite numeric points, oldest first, at most the newest `MAX_CHART_POINTS`. */
function chartPoints(history: readonly Evaluation[]): Point[] {
  return history
    .filter((e): e is Point => typeof e.value === "number" && Number.isFinite(e.value))
    .sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt))
    .slice(-MAX_CHART_POINTS);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The tick format the range needs: the year when it spans years, the hour within two days. */
function tickFormat(points: readonly Point[]): (iso: string) => string {
  const first = new Date(Date.parse(points[0]?.observedAt ?? ""));
  const last = new Date(Date.parse(points.at(-1)?.observedAt ?? ""));
  const day = (d: Date) => `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (first.getUTCFullYear() !== last.getUTCFullYear())
    return (iso) => {
      const d = new Date(Date.parse(iso));
      return `${d.getUTCFullYear()}-${day(d)}`;
    };
  if (last.getTime() - first.getTime() > 2 * 86_400_000) return (iso) => day(new Date(Date.parse(iso)));
  return (iso) => {
    const d = new Date(Date.parse(iso));
    return `${day(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  };
}

/**
 * One label per point (categories must be distinct): every k-th point carries its date, the others an
 * invisible label of its own so the axis shows at most `MAX_X_LABELS` dates.
 */
function xLabels(points: readonly Point[]): string[] {
  const format = tickFormat(points);
  const every = Math.ceil(points.length / MAX_X_LABELS);
  const last = points.length - 1;
  return points.map((p, i) => ((last - i) % every === 0 ? format(p.observedAt) : "\u200b".repeat(i + 1)));
}

/** A y range around the values with round ends, and the decimals that tell its ticks apart. */
function axisRange(values: readonly number[]): { low: string; high: string; decimals: number } {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high > low ? high - low : Math.abs(high) * 0.1 || 1;
  const step = 10 ** Math.floor(Math.log10(span / 5));
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const bottom = Math.floor((low - span * 0.1) / step) * step;
  const top = Math.ceil((high + span * 0.1) / step) * step;
  // Near the largest doubles the padding overflows: the plain range is drawn instead.
  if (!Number.isFinite(bottom) || !Number.isFinite(top) || !Number.isFinite(span))
    return { low: formatFixed(low, 0), high: formatFixed(high, 0), decimals: 0 };
  return { low: formatFixed(bottom, decimals), high: formatFixed(top, decimals), decimals: decimals + 1 };
}

/** Text for a quoted xychart label: quotes and brackets would end the label or the list. */
function chartLabel(text: string): string {
  return text
    .replace(/["`[\]{}<>\\;#%:]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 80);
}

/**
 * A Mermaid `xychart-beta` of a metric's recent history in signal time (x), the metric in blue and
 * each threshold bound as a flat red (minimum) or amber (maximum) line; null with fewer than two
 * finite points, where a chart would draw nothing (see `renderHistory`).
 *
 * @example renderMetricChart({ metric: "completeness", history, threshold: { min: 0.99 } })
 */
export function renderMetricChart(input: {
  metric: string;
  history: readonly Evaluation[];
  threshold?: ChartThreshold;
}): string | null {
  const points = chartPoints(input.history);
  if (points.length < 2) return null;
  const bounds = [input.threshold?.min, input.threshold?.max].filter(
    (b): b is number => b !== undefined && Number.isFinite(b),
  );
  const values = points.map((p) => p.value);
  const { low, high, decimals } = axisRange([...values, ...bounds]);
  const colours = [METRIC_COLOUR];
  if (input.threshold?.min !== undefined && Number.isFinite(input.threshold.min)) colours.push(MIN_COLOUR);
  if (input.threshold?.max !== undefined && Number.isFinite(input.threshold.max)) colours.push(MAX_COLOUR);
  const value = (v: number) => formatFixed(v, Math.max(decimals, 4));
  const lines = [
    "---",
    "config:",
    "  themeVariables:",
    "    xyChart:",
    `      plotColorPalette: "${colours.join(", ")}"`,
    "---",
    "xychart-beta",
    `  x-axis [${xLabels(points)
      .map((l) => `"${l}"`)
      .join(", ")}]`,
    `  y-axis "${chartLabel(input.metric) || "value"}" ${low} --> ${high}`,
    `  line [${values.map(value).join(", ")}]`,
    ...bounds.map((b) => `  line [${points.map(() => value(b)).join(", ")}]`),
  ];
  return lines.join("\n");
}

/** `minimum 0.99 in red`, naming each drawn threshold line by its colour. */
function thresholdCaption(threshold?: ChartThreshold): string {
  const parts = [
    threshold?.min !== undefined ? `red line: the minimum ${formatNumber(threshold.min)}` : "",
    threshold?.max !== undefined ? `amber line: the maximum ${formatNumber(threshold.max)}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? `; ${parts.join("; ")}` : "; no fixed threshold to draw";
}

/**
 * The history as markdown that always says something: a chart with a caption naming its lines for two
 * or more points, a sentence for one, and a note when no measurement is a number.
 */
export function renderHistory(input: {
  metric: string;
  history: readonly Evaluation[];
  threshold?: ChartThreshold;
}): string {
  const points = chartPoints(input.history);
  const metric = chartLabel(input.metric) || "value";
  const first = points[0];
  if (!first) return "_No numeric measurement yet: this finding is about a check, not a number._";
  if (points.length === 1) {
    const limit = [
      input.threshold?.min !== undefined ? `minimum ${formatNumber(input.threshold.min)}` : "",
      input.threshold?.max !== undefined ? `maximum ${formatNumber(input.threshold.max)}` : "",
    ].filter(Boolean);
    const against = limit.length > 0 ? ` against a ${limit.join(" and ")}` : "";
    return `One measurement so far: ${metric} **${formatNumber(first.value)}** at ${formatUtcMinute(first.observedAt)}${against}. A chart appears from the second measurement.`;
  }
  const chart = renderMetricChart(input) as string;
  const total = input.history.filter((e) => typeof e.value === "number" && Number.isFinite(e.value)).length;
  const shown = total > points.length ? `the last ${points.length} of ${total}` : `${points.length}`;
  const caption = `_${shown} measurements from ${formatUtcMinute(first.observedAt)} to ${formatUtcMinute(points.at(-1)?.observedAt ?? "")}. Blue line: ${metric}${thresholdCaption(input.threshold)}._`;
  return `\`\`\`mermaid\n${chart}\n\`\`\`\n\n${caption}`;
}
