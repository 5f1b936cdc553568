import { z } from "zod";
import { buildSignal, normalizeSeverity, type SignalDraft, toNumber, uniqueById } from "../build-signal.js";
import { metricOfCheck } from "../check-metric.js";
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
const FacetsSchema = z
  .object({
    dataQualityMetrics: MetricsFacetSchema.optional(),
    dataQualityAssertions: AssertionsFacetSchema.optional(),
  })
  .nullish();
const DatasetSchema = z.object({
  namespace: z.string(),
  name: z.string().min(1),
  facets: FacetsSchema,
  inputFacets: FacetsSchema,
  outputFacets: FacetsSchema,
});
const RunEventSchema = z.object({
  eventType: z.string().nullish(),
  eventTime: z.iso.datetime({ offset: true }),
  producer: z.string(),
  run: z.object({
    runId: z.string().min(1),
    facets: z.object({ errorMessage: z.object({ message: z.string().nullish() }).nullish() }).nullish(),
  }),
  job: z.object({ namespace: z.string(), name: z.string().min(1) }),
  inputs: z.array(DatasetSchema).nullish(),
  outputs: z.array(DatasetSchema).nullish(),
});
type RunEvent = z.infer<typeof RunEventSchema>;
type Dataset = z.infer<typeof DatasetSchema>;
type Facets = NonNullable<z.infer<typeof FacetsSchema>>;

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

function runFailedDrafts(event: RunEvent, base: Base): SignalDraft[] {
  if (event.eventType?.toUpperCase() !== "FAIL") return [];
  const targets = event.outputs?.length
    ? event.outputs
    : [{ namespace: event.job.namespace, name: event.job.name }];
  const error = event.run.facets?.errorMessage?.message ?? "no error message";
  return targets.map((ds) => ({
    ...base,
    idParts: [event.run.runId, ds.namespace, ds.name, "run_failed"],
    type: "run_failed",
    severity: "error",
    dataset: { namespace: ds.namespace || undefined, name: ds.name },
    check: { name: `job ${event.job.namespace}/${event.job.name}` },
    message: `run ${event.run.runId} of ${event.job.name} failed: ${error}`,
  }));
}

/**
 * OpenLineage RunEvent (spec 2-x). Every `dataQualityAssertions` assertion becomes a check signal
 * (failed → firing, passed → resolved); every `dataQualityMetrics` value becomes a measurement
 * (`rowCount`, per-column `nullRate` or `nullValues`, `distinctCount`, `min`, `max`, `sum`, and
 * `latency` from `lastUpdated`) for Backflow's thresholds to judge; `eventType: FAIL` adds a
 * `run_failed` signal per output. Facets are read from `facets`, `inputFacets` and `outputFacets`.
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
  for (const ds of [...(event.inputs ?? []), ...(event.outputs ?? [])]) {
    for (const facets of [ds.facets, ds.inputFacets, ds.outputFacets]) {
      if (!facets) continue;
      drafts.push(...assertionDrafts(ds, facets.dataQualityAssertions, base, event.run.runId));
      drafts.push(...columnMetricDrafts(ds, facets.dataQualityMetrics, base, event.run.runId));
      drafts.push(...freshnessDrafts(ds, facets.dataQualityMetrics, base, event.run.runId));
    }
  }
  drafts.push(...runFailedDrafts(event, base));
  return uniqueById(drafts.map((d) => buildSignal(d, ctx)));
}
