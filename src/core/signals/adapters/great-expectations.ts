import { z } from "zod";
import { buildSignal, normalizeSeverity, type SignalDraft, toIso, toNumber } from "../build-signal.js";
import { metricOfCheck } from "../check-metric.js";
import { eachItem } from "../each-item.js";
import { joinPath, parsePayload } from "../parse-payload.js";
import { type AdapterContext, metricKindOf, type OperatorThreshold, type Signal } from "../signal-schema.js";

const Str = z.string().nullish();
const ExpectationResultSchema = z.object({
  success: z.boolean(),
  expectation_config: z
    .object({
      type: Str,
      expectation_type: Str,
      kwargs: z.record(z.string(), z.unknown()).nullish(),
      id: Str,
      severity: Str,
    })
    .refine((c) => Boolean(c.type ?? c.expectation_type), {
      message: "an expectation needs `type` (GX 1.x) or `expectation_type` (GX 0.x)",
    }),
  result: z
    .object({
      element_count: z.number().nullish(),
      unexpected_count: z.number().nullish(),
      unexpected_percent: z.number().nullish(),
      observed_value: z.unknown().optional(),
    })
    .nullish(),
  exception_info: z.object({ raised_exception: z.boolean().nullish(), exception_message: Str }).nullish(),
});
type ExpectationResult = z.infer<typeof ExpectationResultSchema>;

const RunIdSchema = z.union([z.string(), z.object({ run_name: Str, run_time: Str })]).nullish();
// Lenient where GX versions differ; a part of the wrong shape is ignored rather than refusing the result.
const NamedBatch = z
  .looseObject({ datasource_name: Str, data_asset_name: Str, table_name: Str, schema_name: Str })
  .nullish()
  .catch(undefined);
const SuiteResultSchema = z.object({
  success: z.boolean().nullish(),
  // Each expectation result is read on its own, so one malformed result does not lose the others.
  results: z.array(z.unknown()),
  asset_name: Str.catch(undefined),
  suite_name: Str,
  id: Str,
  result_url: Str,
  meta: z
    .object({
      expectation_suite_name: Str,
      great_expectations_version: Str,
      validation_time: Str,
      // GX 1.x results of a bare validation definition carry neither run_id nor validation_time;
      // the batch's load time and the validation id are what tell one run from the next.
      validation_id: Str.catch(undefined),
      batch_markers: z.looseObject({ ge_load_time: Str }).nullish().catch(undefined),
      run_id: RunIdSchema,
      active_batch_definition: NamedBatch,
      batch_definition: NamedBatch,
      batch_spec: NamedBatch,
      batch_kwargs: z
        .object({ table: Str, schema: Str, data_asset_name: Str, datasource: Str })
        .nullish()
        .catch(undefined),
    })
    .nullish(),
});
type SuiteResult = z.infer<typeof SuiteResultSchema>;

const CheckpointResultSchema = z.object({
  run_id: RunIdSchema,
  run_results: z.record(
    z.string(),
    z.union([z.object({ validation_result: SuiteResultSchema }), SuiteResultSchema]),
  ),
});

/**
 * The dataset a suite result is about: the batch's `schema.table` when a batch spec or batch kwargs
 * name one (GX 0.x and 1.x SQL assets), else the data asset name (active batch definition, batch
 * spec, batch kwargs, 1.x `asset_name`). Only when no batch names anything is the suite name used.
 */
function datasetOf(suite: SuiteResult, key: string | undefined): { namespace?: string; name: string } {
  const meta = suite.meta;
  const spec = meta?.batch_spec;
  const kwargs = meta?.batch_kwargs;
  const batch = meta?.active_batch_definition ?? meta?.batch_definition;
  const table = spec?.table_name ?? batch?.table_name ?? kwargs?.table;
  const schema = spec?.schema_name ?? batch?.schema_name ?? kwargs?.schema;
  const name =
    (table && (schema ? `${schema}.${table}` : table)) ||
    batch?.data_asset_name ||
    spec?.data_asset_name ||
    kwargs?.data_asset_name ||
    suite.asset_name ||
    suite.suite_name ||
    meta?.expectation_suite_name ||
    key ||
    "unknown";
  return {
    namespace: batch?.datasource_name ?? spec?.datasource_name ?? kwargs?.datasource ?? undefined,
    name,
  };
}

function thresholdOf(kwargs: Record<string, unknown>, percent: boolean): OperatorThreshold | undefined {
  const mostly = toNumber(kwargs.mostly);
  if (percent) return { mustBeLessOrEqualTo: Number((100 * (1 - (mostly ?? 1))).toFixed(6)) };
  const min = toNumber(kwargs.min_value);
  const max = toNumber(kwargs.max_value);
  if (min !== undefined && max !== undefined) return { mustBeBetween: [min, max] };
  if (min !== undefined) return { mustBeGreaterOrEqualTo: min };
  if (max !== undefined) return { mustBeLessOrEqualTo: max };
  const value = toNumber(kwargs.value);
  return value === undefined ? undefined : { mustBe: value };
}

function expectationDraft(
  item: ExpectationResult,
  index: number,
  suite: SuiteResult,
  ids: { runKey: string; key: string | undefined; observedAt: string },
): SignalDraft {
  const config = item.expectation_config;
  const type = config.type ?? config.expectation_type ?? "expectation";
  const kwargs = config.kwargs ?? {};
  const column = typeof kwargs.column === "string" ? kwargs.column : undefined;
  const metric = metricOfCheck(type);
  const percent = toNumber(item.result?.unexpected_percent);
  const observed = toNumber(item.result?.observed_value);
  const value = percent ?? observed;
  const errored = item.exception_info?.raised_exception === true;
  const dataset = datasetOf(suite, ids.key);
  const suiteName = suite.suite_name ?? suite.meta?.expectation_suite_name ?? undefined;
  const detail =
    percent !== undefined
      ? `${percent}% unexpected (${item.result?.unexpected_count ?? "?"} of ${item.result?.element_count ?? "?"} rows)`
      : item.result?.observed_value !== undefined
        ? `observed ${JSON.stringify(item.result.observed_value)}`
        : "";
  return {
    source: {
      kind: "great-expectations",
      producer: suite.meta?.great_expectations_version ?? undefined,
      runId: ids.runKey,
      url: suite.result_url ?? undefined,
    },
    idParts: [ids.runKey, ids.key, suiteName, dataset.name, index, config.id ?? type, column],
    observedAt: ids.observedAt,
    type: errored ? "run_failed" : "check_failed",
    status: item.success ? "resolved" : "firing",
    severity: normalizeSeverity(config.severity, "error"),
    dataset,
    column,
    check: { name: suiteName ? `${suiteName}: ${type}` : type, ruleId: config.id ?? undefined, type },
    measurement: {
      metric,
      kind: metricKindOf(metric),
      value,
      unit: percent !== undefined ? "percent" : metric === "rowCount" ? "rows" : undefined,
      threshold: value === undefined ? undefined : thresholdOf(kwargs, percent !== undefined),
      failingRows: toNumber(item.result?.unexpected_count),
    },
    message: errored
      ? `${type}${column ? ` on ${column}` : ""} raised: ${item.exception_info?.exception_message ?? "an exception"}`
      : `${item.success ? "passed" : "failed"}: ${type}${column ? ` on ${column}` : ""}${detail ? `; ${detail}` : ""}`,
    raw: { expectation_config: config, result: item.result },
  };
}

function runKeyOf(runId: z.infer<typeof RunIdSchema>, suite: SuiteResult): string {
  const id = runId ?? suite.meta?.run_id;
  if (typeof id === "string") return id;
  const meta = suite.meta;
  const run = [id?.run_name, id?.run_time, suite.id].filter(Boolean);
  if (run.length > 0) return run.join("/");
  // Without a run id, two runs of one validation differ only by when they ran.
  const when = meta?.validation_time ?? meta?.batch_markers?.ge_load_time;
  return [meta?.validation_id, when].filter(Boolean).join("/") || "run";
}

function suiteSignals(
  suite: SuiteResult,
  at: { key: string | undefined; path: string },
  runId: z.infer<typeof RunIdSchema>,
  ctx: AdapterContext,
): Signal[] {
  const runTime = typeof runId === "object" ? runId?.run_time : undefined;
  const observedAt = toIso(
    suite.meta?.validation_time ?? runTime ?? suite.meta?.batch_markers?.ge_load_time,
    ctx.receivedAt,
  );
  const ids = { runKey: runKeyOf(runId, suite), key: at.key, observedAt };
  const results = joinPath(at.path, "results");
  return eachItem(suite.results, results, ctx, (raw, index) => {
    const item = parsePayload(
      ExpectationResultSchema,
      raw,
      "Great Expectations expectation result",
      `${results}.${index}`,
    );
    return [buildSignal(expectationDraft(item, index, suite, ids), ctx)];
  });
}

/**
 * Great Expectations validation (suite) result or checkpoint result, GX 0.x or 1.x field names.
 * Every expectation becomes a check signal: unsuccessful → firing, successful → resolved; one that
 * raised an exception → `run_failed`. The dataset is the batch's `schema.table` when the batch spec
 * names one, else the data asset name; `unexpected_percent` or a numeric `observed_value` is the value.
 * Without a run id or validation time (GX 1.x validation definitions), the batch's `ge_load_time` dates
 * the signals and, with `validation_id`, keys the run, so two runs never share signal ids.
 */
export function adaptGreatExpectations(body: unknown, ctx: AdapterContext): Signal[] {
  const isCheckpoint = typeof body === "object" && body !== null && "run_results" in body;
  if (!isCheckpoint) {
    const suite = parsePayload(SuiteResultSchema, body, "Great Expectations validation result");
    return suiteSignals(suite, { key: undefined, path: "" }, undefined, ctx);
  }
  const checkpoint = parsePayload(CheckpointResultSchema, body, "Great Expectations checkpoint result");
  return Object.entries(checkpoint.run_results).flatMap(([key, entry]) => {
    const nested = "validation_result" in entry;
    const suite = nested ? entry.validation_result : entry;
    const path = `run_results.${key}${nested ? ".validation_result" : ""}`;
    return suiteSignals(suite, { key, path }, checkpoint.run_id, ctx);
  });
}
