import { z } from "zod";
import type { MetricKind } from "../../config/schema.js";
import { buildSignal, type SignalDraft, toIso, toNumber } from "../build-signal.js";
import { metricOfCheck } from "../check-metric.js";
import { eachItem } from "../each-item.js";
import { parsePayload } from "../parse-payload.js";
import {
  type AdapterContext,
  metricKindOf,
  type OperatorThreshold,
  type Signal,
  type SignalType,
} from "../signal-schema.js";
import { schemaChangesOf } from "./soda-schema-changes.js";

const Str = z.string().nullish();
// Soda writes the thresholds of the *bad* zone (`fail: when > 0` → {"greaterThan": 0}).
const BadZoneSchema = z
  .object({
    greaterThan: z.unknown(),
    greaterThanOrEqual: z.unknown(),
    lessThan: z.unknown(),
    lessThanOrEqual: z.unknown(),
  })
  .partial()
  .nullish();
const CheckSchema = z.object({
  identity: Str,
  name: Str,
  type: Str,
  definition: Str,
  location: z.object({ filePath: Str, line: z.number().nullish() }).nullish(),
  dataSource: Str,
  table: Str,
  column: Str,
  outcome: Str,
  outcomeReasons: z.array(z.object({ code: Str, message: Str })).nullish(),
  diagnostics: z
    .looseObject({ value: z.unknown().optional(), fail: BadZoneSchema, warn: BadZoneSchema })
    .nullish(),
});
type SodaCheck = z.infer<typeof CheckSchema>;
const ScanSchema = z.object({
  definitionName: Str,
  defaultDataSource: Str,
  dataTimestamp: Str,
  scanStartTimestamp: Str,
  scanEndTimestamp: Str,
  // Each check is read on its own, so one malformed check does not lose the others.
  checks: z.array(z.unknown()),
  automatedMonitoringChecks: z.array(z.unknown()).nullish(),
});
type SodaScan = z.infer<typeof ScanSchema>;

/** The SodaCL line of a check (`missing_count(id) = 0`), from its definition, else its name. */
function checkLine(check: SodaCheck): string {
  const [, ...lines] = (check.definition ?? "").split("\n");
  const line = lines.map((l) => l.trim().replace(/^-\s*/, "").replace(/:$/, "")).find(Boolean);
  return (line ?? check.name ?? check.type ?? "check").trim();
}

/** `checks for orders:` names the table when the result does not. */
function headerTable(check: SodaCheck): string | undefined {
  return /^checks for\s+(.+?):?\s*$/i.exec((check.definition ?? "").split("\n")[0]?.trim() ?? "")?.[1];
}

type MetricOfLine = { metric: string; kind: MetricKind; unit?: string; token: string };

const EXPLICIT: ReadonlyArray<readonly [RegExp, Omit<MetricOfLine, "token">]> = [
  [/^missing_percent$/, { metric: "nullValues", kind: "completeness", unit: "percent" }],
  [/^missing_count$/, { metric: "nullValues", kind: "completeness", unit: "rows" }],
  [/^row_count$/, { metric: "rowCount", kind: "volume", unit: "rows" }],
  [/^freshness$/, { metric: "latency", kind: "freshness", unit: "h" }],
  [/^duplicate_percent$/, { metric: "duplicateValues", kind: "consistency", unit: "percent" }],
  [/^duplicate_count$/, { metric: "duplicateValues", kind: "consistency", unit: "rows" }],
  [/^invalid_percent$/, { metric: "invalidValues", kind: "consistency", unit: "percent" }],
  [/^invalid_count$/, { metric: "invalidValues", kind: "consistency", unit: "rows" }],
  [/^values$/, { metric: "referentialIntegrity", kind: "consistency", unit: "rows" }],
  [/^failed$/, { metric: "failedRows", kind: "consistency", unit: "rows" }],
  [/^distribution_difference$/, { metric: "distributionDifference", kind: "drift" }],
];

/**
 * The metric a SodaCL check line measures: `anomaly detection for row_count` and `anomaly score for …`
 * are drift of the inner metric; known Soda metrics map onto ODCS names; the rest keep their name.
 */
export function sodaMetricOf(line: string): MetricOfLine {
  const lower = line.toLowerCase();
  const anomaly = /^anomaly (?:detection|score) for\s+([a-z_]+)/.exec(lower);
  if (anomaly?.[1]) return { metric: `anomaly_${anomaly[1]}`, kind: "drift", token: "anomaly" };
  const token = /^[a-z_]+/.exec(lower)?.[0] ?? lower;
  const explicit = EXPLICIT.find(([pattern]) => pattern.test(token))?.[1];
  if (explicit) return { ...explicit, token };
  const metric = metricOfCheck(token);
  return { metric, kind: metricKindOf(metric), token };
}

const DURATION_HOURS: Record<string, number> = { w: 168, d: 24, h: 1, m: 1 / 60, s: 1 / 3600 };

/** `freshness(created_at) < 1d2h` → 26 (hours); undefined when the line carries no limit. */
function freshnessLimitHours(line: string): number | undefined {
  const text = /<=?\s*([0-9.wdhms]+)\s*$/i.exec(line)?.[1];
  if (!text) return undefined;
  let hours = 0;
  for (const [, n, unit] of text.toLowerCase().matchAll(/([0-9.]+)([wdhms])/g)) {
    hours += Number(n) * (DURATION_HOURS[unit ?? "h"] ?? 1);
  }
  return hours > 0 ? Number(hours.toFixed(4)) : undefined;
}

/** Turns Soda's bad zone into the ODCS operator of the good zone. */
export function thresholdOfBadZone(zone: z.infer<typeof BadZoneSchema>): OperatorThreshold | undefined {
  if (!zone) return undefined;
  const gt = toNumber(zone.greaterThan);
  const gte = toNumber(zone.greaterThanOrEqual);
  const lt = toNumber(zone.lessThan);
  const lte = toNumber(zone.lessThanOrEqual);
  const low = gt ?? gte;
  const high = lt ?? lte;
  if (low !== undefined && high !== undefined) {
    // Bad between the bounds (`not between`, `!=`), or bad outside them (`between`, `=`).
    const contiguous = low < high || (low === high && gte !== undefined && lte !== undefined);
    if (contiguous) return low === high ? { mustNotBe: low } : { mustNotBeBetween: [low, high] };
    return low === high ? { mustBe: low } : { mustBeBetween: [high, low] };
  }
  if (gt !== undefined) return { mustBeLessOrEqualTo: gt };
  if (gte !== undefined) return { mustBeLessThan: gte };
  if (lt !== undefined) return { mustBeGreaterOrEqualTo: lt };
  if (lte !== undefined) return { mustBeGreaterThan: lte };
  return undefined;
}

function typeOf(metric: MetricOfLine): SignalType {
  if (metric.token === "schema") return "schema_change";
  if (metric.kind === "freshness") return "freshness_breach";
  return "check_failed";
}

function measurementOf(check: SodaCheck, line: string, metric: MetricOfLine, outcome: string) {
  if (metric.token === "schema") return undefined;
  const raw = toNumber(check.diagnostics?.value);
  // Soda measures freshness in milliseconds; Backflow's latency is in hours like dbt's.
  const value = raw !== undefined && metric.kind === "freshness" ? Number((raw / 3_600_000).toFixed(4)) : raw;
  const limit = metric.kind === "freshness" ? freshnessLimitHours(line) : undefined;
  const zone =
    outcome === "warn" ? (check.diagnostics?.warn ?? check.diagnostics?.fail) : check.diagnostics?.fail;
  const threshold = limit !== undefined ? { mustBeLessOrEqualTo: limit } : thresholdOfBadZone(zone);
  const failingRows = metric.unit === "rows" && raw !== undefined && Number.isInteger(raw) && raw >= 0;
  return {
    metric: metric.metric,
    kind: metric.kind,
    value,
    unit: metric.unit,
    threshold,
    failingRows: failingRows && metric.metric !== "rowCount" ? raw : undefined,
  };
}

function checkDraft(check: SodaCheck, scan: SodaScan, ctx: AdapterContext): SignalDraft | undefined {
  const outcome = check.outcome?.toLowerCase();
  if (outcome !== "pass" && outcome !== "warn" && outcome !== "fail") return undefined;
  const line = checkLine(check);
  const metric = sodaMetricOf(line);
  const table = check.table ?? headerTable(check) ?? scan.definitionName ?? "unknown";
  const dataSource = check.dataSource ?? scan.defaultDataSource ?? undefined;
  // Freshness is about the table; its column is only the timestamp Soda read it from.
  const column = metric.kind === "freshness" ? undefined : (check.column ?? undefined);
  const measurement = measurementOf(check, line, metric, outcome);
  const reasons = (check.outcomeReasons ?? []).map((r) => r.message).filter(Boolean);
  const shown =
    measurement?.value !== undefined
      ? ` (value ${measurement.value}${measurement.unit ? ` ${measurement.unit}` : ""})`
      : "";
  const where = check.location?.filePath ? ` [${check.location.filePath}:${check.location.line ?? "?"}]` : "";
  return {
    source: { kind: "soda", producer: "soda-core", runId: scan.definitionName ?? undefined },
    idParts: [
      scan.definitionName ?? undefined,
      dataSource,
      scan.scanStartTimestamp ?? scan.dataTimestamp ?? ctx.deliveryId,
      check.identity ?? `${table}/${line}`,
    ],
    observedAt: toIso(scan.dataTimestamp ?? scan.scanEndTimestamp, ctx.receivedAt),
    type: typeOf(metric),
    status: outcome === "pass" ? "resolved" : "firing",
    severity: outcome === "fail" ? "error" : outcome === "warn" ? "warning" : "info",
    dataset: { namespace: dataSource, name: table },
    column,
    check: { name: check.name ?? line, ruleId: check.identity ?? undefined, type: metric.token },
    measurement,
    schemaChange: metric.token === "schema" ? schemaChangesOf(check.diagnostics) : undefined,
    message: `${outcome}: ${check.name ?? line} on ${table}${shown}${reasons.length ? `; ${reasons.join("; ")}` : ""}${where}`,
    raw: {
      ...check,
      diagnostics: check.diagnostics ? { ...check.diagnostics, blocks: undefined } : undefined,
    },
  };
}

/**
 * Soda Core v3 scan results (`soda scan … --scan-results-file`, `scan.get_scan_results()`). Each check
 * with an outcome becomes a signal: fail → firing error, warn → firing warning, pass → resolved; a check
 * Soda could not evaluate (outcome null) is skipped. The dataset is the check's `table` in the data
 * source's namespace; the metric comes from the SodaCL line; `diagnostics.value` is the value and
 * `diagnostics.fail`/`warn` (the bad zone) the threshold. Schema checks carry the column changes.
 */
export function adaptSodaScan(body: unknown, ctx: AdapterContext): Signal[] {
  const scan = parsePayload(ScanSchema, body, "Soda scan result");
  const one = (at: string) => (raw: unknown, index: number) => {
    const check = parsePayload(CheckSchema, raw, "Soda check", `${at}.${index}`);
    const draft = checkDraft(check, scan, ctx);
    return draft ? [buildSignal(draft, ctx)] : [];
  };
  return [
    ...eachItem(scan.checks, "checks", ctx, one("checks")),
    ...eachItem(
      scan.automatedMonitoringChecks ?? [],
      "automatedMonitoringChecks",
      ctx,
      one("automatedMonitoringChecks"),
    ),
  ];
}
