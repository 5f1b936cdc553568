import { z } from "zod";
import type { BackflowConfig, MetricKind } from "../config/schema.js";
import { codeSpan } from "../render/escape-markdown.js";
import { plural } from "../render/fit-to-limit.js";
import { formatNumber } from "../render/format-number.js";
import { type Annotation, applicableAnnotations } from "../triage/annotations.js";
import {
  badness,
  baselineChange,
  MIN_BASELINE_POINTS,
  MIN_ZSCORE_POINTS,
  normalizeValue,
  zscoreOf,
} from "../triage/evaluate-threshold.js";
import type { Evaluation } from "../triage/evaluation-schema.js";
import { durationMs } from "../triage/hysteresis.js";
import { resolveThreshold, type ThresholdRule } from "../triage/thresholds.js";

/** A column (or a whole table) the merged pull request's impact report named: changed or downstream. */
export type CanaryWatch = { readonly tableId: string; readonly column?: string };

/** One metric's stored history for a watched column (a finding's evaluations), with its identity. */
export type CanarySeries = {
  readonly tableId: string;
  readonly column?: string;
  readonly metric: string;
  readonly kind: MetricKind;
  readonly unit?: string;
  readonly points: readonly Evaluation[];
};

export const CanaryVerdictSchema = z.enum([
  "regression",
  "clean",
  "no-signal",
  "regression-before-merge",
  "explained",
]);
export type CanaryVerdict = z.infer<typeof CanaryVerdictSchema>;

export const CanaryMetricResultSchema = z.strictObject({
  target: z.string().describe("table.column (or table) watched."),
  metric: z.string(),
  verdict: CanaryVerdictSchema,
  evidence: z.string().describe("One sentence a person can check."),
  before: z.number().int().nonnegative().describe("Healthy points before the merge used as the baseline."),
  after: z.number().int().nonnegative().describe("Points in the window after the merge."),
  change: z.number().nullable().describe("Relative change of the median after vs the median before."),
  annotations: z.array(z.string()).describe("Ids of annotations that explained breaches in the window."),
});
export type CanaryMetricResult = z.infer<typeof CanaryMetricResultSchema>;

export const CanaryReportSchema = z.strictObject({
  enabled: z.boolean(),
  windowEnds: z.iso.datetime({ offset: true }).nullable(),
  complete: z.boolean().describe("The window has ended."),
  results: z.array(CanaryMetricResultSchema),
  watched: z.number().int().nonnegative(),
  summary: z.string(),
  /** Whether the end-of-window comment is posted (`canary.quiet` silences a clean one). */
  commentAtEnd: z.boolean(),
});
export type CanaryReport = z.infer<typeof CanaryReportSchema>;

export type CanaryInput = {
  readonly repo: string;
  readonly watched: readonly CanaryWatch[];
  readonly mergedAt: Date;
  readonly now: Date;
  readonly config: BackflowConfig;
  readonly series: readonly CanarySeries[];
  readonly annotations: readonly Annotation[];
};

const time = (e: Evaluation) => Date.parse(e.observedAt);
const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const labelOf = (w: { tableId: string; column?: string | undefined }) =>
  w.column ? `${w.tableId}.${w.column}` : w.tableId;
const matches = (w: CanaryWatch, s: CanarySeries) =>
  w.tableId.toLowerCase() === s.tableId.toLowerCase() &&
  (w.column === undefined || w.column.toLowerCase() === s.column?.toLowerCase());

/** Whether a value breaches the rule against the healthy values before the merge (triage's limits). */
function breaches(rule: ThresholdRule, v: number, healthy: readonly number[]): boolean {
  if (rule.max !== undefined && v > rule.max) return true;
  if (rule.min !== undefined && v < rule.min) return true;
  if (rule.relative !== undefined && healthy.length >= MIN_BASELINE_POINTS)
    if (badness(rule.direction, baselineChange(v, healthy).change) > rule.relative) return true;
  if (rule.zscore !== undefined && healthy.length >= MIN_ZSCORE_POINTS)
    if (badness(rule.direction, zscoreOf(v, healthy).z) > rule.zscore) return true;
  return false;
}

function judgeSeries(input: CanaryInput, s: CanarySeries, windowEnd: number): CanaryMetricResult {
  const merged = input.mergedAt.getTime();
  const norm = (v: number) => normalizeValue(v, s.kind, s.unit);
  const ordered = [...s.points].filter((p) => p.metric === s.metric).sort((a, b) => time(a) - time(b));
  const before = ordered.filter((p) => time(p) < merged);
  const after = ordered.filter((p) => time(p) >= merged && time(p) < windowEnd && p.value !== undefined);
  const { rule } = resolveThreshold({
    config: input.config,
    tableId: s.tableId,
    ...(s.column ? { column: s.column } : {}),
    metric: s.metric,
    kind: s.kind,
    ...(s.unit ? { unit: s.unit } : {}),
  });
  const need = rule.consecutive ?? 2;
  const target = labelOf(s);
  const base = { target, metric: s.metric, annotations: [] as string[] };
  const healthy = before
    .filter((p) => !p.breached && p.value !== undefined)
    .map((p) => norm(p.value ?? 0))
    .slice(-10);
  const tail = before.filter((p) => !p.expected).slice(-need);
  if (tail.length === need && tail.every((p) => p.breached)) {
    return {
      ...base,
      verdict: "regression-before-merge",
      evidence: `${codeSpan(target)} ${codeSpan(s.metric)} was already breaching before this merge (${need} point(s) in a row up to ${tail.at(-1)?.observedAt ?? ""}): not attributed to it`,
      before: healthy.length,
      after: after.length,
      change: null,
    };
  }
  if (
    after.length === 0 ||
    (healthy.length < MIN_BASELINE_POINTS && rule.min === undefined && rule.max === undefined)
  ) {
    const why =
      after.length === 0
        ? "no point after the merge"
        : `${healthy.length} healthy point(s) before the merge, ${MIN_BASELINE_POINTS} needed`;
    return {
      ...base,
      verdict: "no-signal",
      evidence: `${codeSpan(target)} ${codeSpan(s.metric)}: ${why}`,
      before: healthy.length,
      after: after.length,
      change: null,
    };
  }
  let run = 0;
  let regressed = false;
  const explainedBy = new Set<string>();
  for (const p of after) {
    const bad = breaches(rule, norm(p.value ?? 0), healthy);
    const covering = bad
      ? applicableAnnotations(
          input.annotations.filter((a) => a.repo === input.repo),
          s.tableId,
          p.observedAt,
        )
      : [];
    if (covering.length > 0) {
      for (const a of covering) explainedBy.add(a.id);
      continue; // an annotated breach neither counts towards a regression nor breaks a run
    }
    run = bad ? run + 1 : 0;
    if (run >= need) regressed = true;
  }
  const afterValues = after.map((p) => norm(p.value ?? 0));
  const change = healthy.length > 0 ? baselineChange(median(afterValues), healthy).change : null;
  const pct =
    change === null || !Number.isFinite(change) || Math.round(Math.abs(change) * 100) === 0
      ? ""
      : ` ${change < 0 ? "−" : "+"}${formatNumber(Math.round(Math.abs(change) * 100))}%`;
  const counts = `${after.length} point(s) after vs median of ${healthy.length} before`;
  if (regressed)
    return {
      ...base,
      verdict: "regression",
      evidence: `${codeSpan(target)} ${codeSpan(s.metric)}${pct} since this merge, ${counts}`,
      before: healthy.length,
      after: after.length,
      change,
    };
  if (explainedBy.size > 0)
    return {
      ...base,
      verdict: "explained",
      annotations: [...explainedBy].sort(),
      evidence: `${codeSpan(target)} ${codeSpan(s.metric)} breached after this merge inside annotated window(s) ${[...explainedBy].sort().map(codeSpan).join(", ")}: not attributed`,
      before: healthy.length,
      after: after.length,
      change,
    };
  return {
    ...base,
    verdict: "clean",
    evidence: `${codeSpan(target)} ${codeSpan(s.metric)}${pct || " unchanged"}, ${counts}, within limits`,
    before: healthy.length,
    after: after.length,
    change,
  };
}

function windowWords(ms: number): string {
  const d = ms / 86_400_000;
  if (Number.isInteger(d)) return plural(d, "day");
  const h = ms / 3_600_000;
  return Number.isInteger(h) ? plural(h, "hour") : `${Math.round(ms / 60_000)} minutes`;
}

/**
 * The canary of one merged pull request: each watched column's metrics in the window after the merge
 * against their history before it, by triage's limits (min/max, relative to the median of healthy
 * points, z-score), `consecutive` breaches in a row, annotations honoured. A breach already running
 * before the merge is not attributed; a watched column without points says "no signal", never "clean".
 */
export function decideCanary(input: CanaryInput): CanaryReport {
  const { canary } = input.config;
  if (canary === "off")
    return {
      enabled: false,
      windowEnds: null,
      complete: true,
      results: [],
      watched: 0,
      summary: "canary is off",
      commentAtEnd: false,
    };
  const windowMs = durationMs(canary.window);
  const windowEnd = input.mergedAt.getTime() + windowMs;
  const watched = [...new Map(input.watched.map((w) => [labelOf(w).toLowerCase(), w])).values()];
  const results = watched.flatMap((w) => {
    const series = input.series.filter((s) => matches(w, s));
    if (series.length === 0)
      return [
        {
          target: labelOf(w),
          metric: "–",
          verdict: "no-signal" as const,
          evidence: `${codeSpan(labelOf(w))}: no signal received for it`,
          before: 0,
          after: 0,
          change: null,
          annotations: [],
        },
      ];
    return series.map((s) => judgeSeries(input, s, windowEnd));
  });
  const columnsWith = (v: CanaryVerdict) => [
    ...new Set(results.filter((r) => r.verdict === v).map((r) => r.target)),
  ];
  const regressed = columnsWith("regression");
  const silent = watched
    .map(labelOf)
    .filter((t) => results.filter((r) => r.target === t).every((r) => r.verdict === "no-signal"));
  const span = windowWords(windowMs);
  const quietOk = watched.length - regressed.length - silent.length;
  const summary =
    regressed.length > 0
      ? `regression on ${regressed.length} of ${watched.length} watched column(s) over ${span}: ${regressed.map(codeSpan).join(", ")}`
      : silent.length === watched.length
        ? `no signal for any of the ${watched.length} watched column(s) over ${span}: the canary cannot tell`
        : `no regression on ${plural(quietOk, "watched column")} over ${span}${silent.length > 0 ? `; no signal for ${silent.map(codeSpan).join(", ")}` : ""}`;
  const allClean = regressed.length === 0 && silent.length === 0;
  return {
    enabled: true,
    windowEnds: new Date(windowEnd).toISOString(),
    complete: input.now.getTime() >= windowEnd,
    results,
    watched: watched.length,
    summary,
    commentAtEnd: !(allClean && canary.quiet),
  };
}
