import { z } from "zod";
import { buildSignal, normalizeSeverity, type SignalDraft, toNumber, uniqueById } from "../build-signal.js";
import { metricOfCheck } from "../check-metric.js";
import { tryItem } from "../each-item.js";
import { parsePayload } from "../parse-payload.js";
import { type AdapterContext, metricKindOf, type Signal } from "../signal-schema.js";

const Num = z.number().nullish();
const ColumnMetricsSchema = z.object({
  nullCount: Num,
  nullProportion: Num,
  distinctCount: Num,
  sum: Num,
  count: Num,
  min: Num,
  max: Num,
});
const MetricsFacetSchema = z.object({
  rowCount: Num,
  bytes: Num,
  lastUpdated: z.string().nullish(),
  columnMetrics: z.record(z.string(), ColumnMetricsSchema),
});
const AssertionsFacetSchema = z.object({
  assertions: z.array(
    z.object({
      assertion: z.string().min(1),
      success: z.boolean(),
      column: z.string().nullish(),
      severity: z.string().nullish(),
      name: z.string().nullish(),
      description: z.string().nullish(),
      expected: z.unknown().optional(),
      actual: z.unknown().optional(),
    }),
  ),
});
// Facets are read one by one (see readFacets), so a non-conforming facet is skipped alone.
const LooseFacetsSchema = z.record(z.string(), z.unknown()).nullish();
const DatasetSchema = z.object({
  namespace: z.string(),
  name: z.string().min(1),
  facets: LooseFacetsSchema,
  inputFacets: LooseFacetsSchema,
  outputFacets: LooseFacetsSchema,
});
const RunEventSchema = z.object({
  eventType: z.string().nullish(),
  eventTime: z.iso.datetime({ offset: true }),
  producer: z.string(),
  run: z.object({
    runId: z.string().min(1),
    facets: z
      .looseObject({ errorMessage: z.object({ message: z.string().nullish() }).nullish() })
      .nullish()
      .catch(undefined),
  }),
  job: z.object({
    namespace: z.string(),
    name: z.string().min(1),
    facets: z.record(z.string(), z.unknown()).nullish().catch(undefined),
  }),
  inputs: z.array(DatasetSchema).nullish(),
  outputs: z.array(DatasetSchema).nullish(),
});
type RunEvent = z.infer<typeof RunEventSchema>;
type Dataset = z.infer<typeof DatasetSchema>;
type Facets = {
  dataQualityMetrics?: z.infer<typeof MetricsFacetSchema>;
  dataQualityAssertions?: z.infer<typeof AssertionsFacetSchema>;
};

type Base = Pick<SignalDraft, "source" | "observedAt" | "status">;

function assertionDrafts(ds: Dataset, facet: Facets["dataQualityAssertions"], base: Base, runId: string) {
  return (facet?.assertions ?? []).map((a, i): SignalDraft => {
    const column = a.column ?? undefined;
    const metric = metricOfCheck(a.assertion);
    const actual = toNumber(a.actual);
    return {
      ...base,
      idParts: [runId, ds.namespace, ds.name, "assertion", i, a.assertion, column],
      type: "check_failed",
      status: a.success ? "resolved" : "firing",
      severity: normalizeSeverity(a.severity, "error"),
      dataset: { namespace: ds.namespace || undefined, name: ds.name },
      column,
      check: { name: a.name ?? a.assertion, type: a.assertion },
      measurement: { metric, kind: metricKindOf(metric), value: actual },
      message: `${a.success ? "passed" : "failed"}: ${a.assertion}${column ? ` on ${column}` : ""}${
        a.description ? ` (${a.description})` : ""
      }${a.actual !== undefined ? `; actual ${String(a.actual)}, expected ${String(a.expected)}` : ""}`,
      raw: a,
    };
  });
}

function columnMetricDrafts(ds: Dataset, facet: Facets["dataQualityMetrics"], base: Base, runId: string) {
  if (!facet) return [];
  const drafts: SignalDraft[] = [];
  const metric = (name: string, value: number, unit: string, column?: string, failingRows?: number) => {
    drafts.push({
      ...base,
      idParts: [runId, ds.namespace, ds.name, "metric", column, name],
      type: "metric_breach",
      severity: "warning",
      dataset: { namespace: ds.namespace || undefined, name: ds.name },
      column,
      measurement: { metric: name, kind: metricKindOf(name), value, unit, failingRows },
      message: `${column ? `${column} ` : ""}${name} = ${value}${unit === "ratio" ? "" : ` ${unit}`}`,
    });
  };
  if (typeof facet.rowCount === "number") metric("rowCount", facet.rowCount, "rows");
  for (const [column, m] of Object.entries(facet.columnMetrics)) {
    const denominator = m.count ?? facet.rowCount;
    if (typeof m.nullProportion === "number") metric("nullRate", m.nullProportion, "ratio", column);
    else if (typeof m.nullCount === "number" && denominator) {
      metric("nullRate", m.nullCount / denominator, "ratio", column, Math.round(m.nullCount));
    } else if (typeof m.nullCount === "number") metric("nullValues", m.nullCount, "rows", column);
    for (const key of ["distinctCount", "min", "max", "sum"] as const) {
      const value = m[key];
      if (typeof value === "number") metric(key, value, key === "distinctCount" ? "rows" : "value", column);
    }
  }
  return drafts;
}

function freshnessDrafts(ds: Dataset, facet: Facets["dataQualityMetrics"], base: Base, runId: string) {
  const updated = facet?.lastUpdated ? Date.parse(facet.lastUpdated) : Number.NaN;
  if (Number.isNaN(updated)) return [];
  const hours = Math.max(0, (Date.parse(base.observedAt) - updated) / 3_600_000);
  const draft: SignalDraft = {
    ...base,
    idParts: [runId, ds.namespace, ds.name, "lastUpdated"],
    type: "freshness_breach",
    severity: "warning",
    dataset: { namespace: ds.namespace || undefined, name: ds.name },
    measurement: { metric: "latency", kind: "freshness", value: Number(hours.toFixed(3)), unit: "h" },
    message: `last updated ${facet?.lastUpdated}, ${hours.toFixed(1)} h before the event`,
  };
  return [draft];
}

const DBT_NODE = /^(model|seed|snapshot)\.[^.\s]+\.[^\s]+$/;

// dbt integrations name the node a job ran in a job or run facet (e.g. `dbt_node.unique_id`).
function dbtNodeOf(event: RunEvent): string | undefined {
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === "string" && DBT_NODE.test(value)) found.push(value);
    else if (depth < 3 && typeof value === "object" && value !== null && !Array.isArray(value))
      for (const inner of Object.values(value)) visit(inner, depth + 1);
  };
  visit(event.job.facets, 0);
  visit(event.run.facets, 0);
  return found[0];
}

type Target = { namespace?: string; name: string; dbtUniqueId?: string };

/** The datasets a failed run is about: its outputs, else its inputs, else the dbt node it ran. */
function failedTargets(event: RunEvent): Target[] {
  const own = event.outputs?.length ? event.outputs : (event.inputs ?? []);
  if (own.length > 0) return own.map((ds) => ({ namespace: ds.namespace || undefined, name: ds.name }));
  const node = dbtNodeOf(event);
  if (node) return [{ name: node.split(".").slice(2).join("."), dbtUniqueId: node }];
  // Only the job is known: its name is sent as the dataset, and triage reports it unmatched unless a
  // `signals.datasets` mapping names the table.
  return [{ namespace: `job:${event.job.namespace}`, name: event.job.name }];
}

function runFailedDrafts(event: RunEvent, base: Base): SignalDraft[] {
  if (event.eventType?.toUpperCase() !== "FAIL") return [];
  const error = event.run.facets?.errorMessage?.message ?? "no error message";
  return failedTargets(event).map((ds) => ({
    ...base,
    idParts: [event.run.runId, ds.namespace, ds.name, "run_failed"],
    type: "run_failed",
    severity: "error",
    dataset: ds,
    check: { name: `job ${event.job.namespace}/${event.job.name}` },
    message: `run ${event.run.runId} of ${event.job.name} failed: ${error}`,
  }));
}

/** The data quality facets of one facet map, each validated alone; a bad one is skipped with its path. */
function readFacets(raw: Record<string, unknown>, at: string, ctx: AdapterContext): Facets {
  const facets: Facets = {};
  const read = <T extends z.ZodType>(key: string, schema: T): z.output<T> | undefined => {
    if (raw[key] === undefined || raw[key] === null) return undefined;
    const here = `${at}.${key}`;
    return tryItem(here, ctx, () => [parsePayload(schema, raw[key], `OpenLineage ${key} facet`, here)])[0];
  };
  const metrics = read("dataQualityMetrics", MetricsFacetSchema);
  const assertions = read("dataQualityAssertions", AssertionsFacetSchema);
  if (metrics) facets.dataQualityMetrics = metrics;
  if (assertions) facets.dataQualityAssertions = assertions;
  return facets;
}

/**
 * OpenLineage RunEvent (spec 2-x). Every `dataQualityAssertions` assertion becomes a check signal
 * (failed → firing, passed → resolved); every `dataQualityMetrics` value becomes a measurement
 * (`rowCount`, per-column `nullRate` or `nullValues`, `distinctCount`, `min`, `max`, `sum`, and
 * `latency` from `lastUpdated`) for Backflow's thresholds to judge (`measuredOnly`); `eventType: FAIL`
 * adds a `run_failed` signal per output (else per input, else for the dbt node the job ran, else for
 * the job's name, which triage reports unmatched). Facets are read from `facets`, `inputFacets` and
 * `outputFacets`; a facet that does not conform is skipped with its path, the others are kept.
 */
export function adaptOpenLineage(body: unknown, ctx: AdapterContext): Signal[] {
  const event = parsePayload(RunEventSchema, body, "OpenLineage RunEvent");
  const failed = event.eventType?.toUpperCase() === "FAIL";
  const base: Base = {
    source: { kind: "openlineage", producer: event.producer, runId: event.run.runId },
    observedAt: new Date(event.eventTime).toISOString(),
    status: failed ? "firing" : "resolved",
  };
  const drafts: SignalDraft[] = [];
  const datasets = [
    ...(event.inputs ?? []).map((ds, i) => [ds, `inputs.${i}`] as const),
    ...(event.outputs ?? []).map((ds, i) => [ds, `outputs.${i}`] as const),
  ];
  for (const [ds, at] of datasets) {
    for (const key of ["facets", "inputFacets", "outputFacets"] as const) {
      const raw = ds[key];
      if (!raw) continue;
      const facets = readFacets(raw, `${at}.${key}`, ctx);
      drafts.push(...assertionDrafts(ds, facets.dataQualityAssertions, base, event.run.runId));
      // Metrics are bare measurements: the event's status is no verdict on them.
      const measured = [
        ...columnMetricDrafts(ds, facets.dataQualityMetrics, base, event.run.runId),
        ...freshnessDrafts(ds, facets.dataQualityMetrics, base, event.run.runId),
      ];
      drafts.push(...measured.map((d) => ({ ...d, measuredOnly: true as const })));
    }
  }
  drafts.push(...runFailedDrafts(event, base));
  return uniqueById(drafts.map((d) => buildSignal(d, ctx)));
}
