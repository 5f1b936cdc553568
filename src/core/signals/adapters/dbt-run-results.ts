import { z } from "zod";
import { buildSignal, type SignalDraft, toIso } from "../build-signal.js";
import { metricOfCheck } from "../check-metric.js";
import { eachItem } from "../each-item.js";
import { parsePayload } from "../parse-payload.js";
import { type AdapterContext, metricKindOf, type Signal } from "../signal-schema.js";
import { ManifestSchema, type TestTarget, targetFromManifest, targetFromName } from "./dbt-test-target.js";

const Str = z.string().nullish();
const MetadataSchema = z.object({
  dbt_schema_version: Str,
  dbt_version: Str,
  generated_at: Str,
  invocation_id: Str,
});
const ResultSchema = z.object({
  unique_id: z.string().min(1),
  status: z.string(),
  // A count; anything else (a string such as "Test failure" seen in real files) is read as unknown
  // rather than losing the test's status.
  failures: z
    .number()
    .nullish()
    .catch(({ value }) =>
      typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : undefined,
    ),
  message: Str,
  compiled_code: Str,
  timing: z.array(z.object({ name: Str, completed_at: Str })).nullish(),
  // sources.json (dbt source freshness)
  max_loaded_at: Str,
  max_loaded_at_time_ago_in_s: z.number().nullish(),
  criteria: z
    .object({
      warn_after: z.object({ count: z.number().nullish(), period: Str }).nullish(),
      error_after: z.object({ count: z.number().nullish(), period: Str }).nullish(),
    })
    .nullish(),
});
type Result = z.infer<typeof ResultSchema>;
// Results are read one by one, so one malformed result does not lose the others.
const RunResultsSchema = z.object({ metadata: MetadataSchema, results: z.array(z.unknown()) });
type RunResults = z.infer<typeof RunResultsSchema>;
const BundleSchema = z.object({ run_results: RunResultsSchema, manifest: ManifestSchema.nullish() });

const PERIOD_HOURS: Record<string, number> = { minute: 1 / 60, hour: 1, day: 24 };

function observedAtOf(result: Result, meta: RunResults["metadata"], ctx: AdapterContext): string {
  const done =
    result.timing?.find((t) => t.name === "execute")?.completed_at ?? result.timing?.at(-1)?.completed_at;
  return toIso(done ?? meta.generated_at, ctx.receivedAt);
}

function testDraft(
  result: Result,
  target: TestTarget,
  base: Omit<SignalDraft, "type" | "status" | "severity" | "dataset" | "message">,
): SignalDraft | undefined {
  const status = result.status.toLowerCase();
  if (!["fail", "warn", "pass", "error"].includes(status)) return undefined;
  const metric = metricOfCheck(target.testType);
  const failures = typeof result.failures === "number" && result.failures >= 0 ? result.failures : undefined;
  const where = target.column ? `${target.datasetName}.${target.column}` : target.datasetName;
  const guess = target.guessed
    ? " (model and column guessed from the test name: send manifest.json too)"
    : "";
  return {
    ...base,
    type: status === "error" ? "run_failed" : "check_failed",
    status: status === "pass" ? "resolved" : "firing",
    severity: status === "warn" ? "warning" : status === "pass" ? "info" : "error",
    dataset: { name: target.datasetName, dbtUniqueId: target.dbtUniqueId },
    column: target.column,
    check: {
      name: result.unique_id.split(".")[2] ?? result.unique_id,
      ruleId: result.unique_id,
      type: target.testType,
    },
    measurement: { metric, kind: metricKindOf(metric), value: failures, unit: "rows", failingRows: failures },
    message: `${status}: ${target.testType} on ${where}${result.message ? `: ${result.message}` : ""}${guess}`,
  };
}

function freshnessDraft(
  result: Result,
  base: Omit<SignalDraft, "type" | "status" | "severity" | "dataset" | "message">,
): SignalDraft | undefined {
  const status = result.status.toLowerCase();
  if (!["pass", "warn", "error"].includes(status) || result.max_loaded_at_time_ago_in_s == null)
    return undefined;
  const [, , ...rest] = result.unique_id.split(".");
  const hours = result.max_loaded_at_time_ago_in_s / 3600;
  const limit =
    status === "warn"
      ? result.criteria?.warn_after
      : (result.criteria?.error_after ?? result.criteria?.warn_after);
  const limitHours =
    limit?.count != null && limit.period ? limit.count * (PERIOD_HOURS[limit.period] ?? 1) : undefined;
  return {
    ...base,
    type: "freshness_breach",
    status: status === "pass" ? "resolved" : "firing",
    severity: status === "warn" ? "warning" : status === "pass" ? "info" : "error",
    dataset: { name: rest.join("."), dbtUniqueId: result.unique_id },
    measurement: {
      metric: "latency",
      kind: "freshness",
      value: Number(hours.toFixed(4)),
      unit: "h",
      threshold: limitHours === undefined ? undefined : { mustBeLessOrEqualTo: limitHours },
    },
    message: `${status}: ${rest.join(".")} last loaded ${result.max_loaded_at ?? "?"} (${hours.toFixed(1)} h ago)`,
  };
}

function draftOf(
  result: Result,
  runResults: RunResults,
  manifest: z.infer<typeof ManifestSchema> | null | undefined,
  ctx: AdapterContext,
): SignalDraft | undefined {
  const meta = runResults.metadata;
  const base = {
    source: {
      kind: "dbt" as const,
      producer: meta.dbt_version ? `dbt ${meta.dbt_version}` : undefined,
      runId: meta.invocation_id ?? undefined,
    },
    idParts: [meta.invocation_id ?? ctx.deliveryId, result.unique_id, result.status],
    observedAt: observedAtOf(result, meta, ctx),
    raw: {
      unique_id: result.unique_id,
      status: result.status,
      failures: result.failures,
      message: result.message,
    },
  };
  const id = result.unique_id;
  if (id.startsWith("test.")) {
    const target = (manifest && targetFromManifest(id, manifest)) ?? targetFromName(id, result.compiled_code);
    return testDraft(result, target, base);
  }
  if (id.startsWith("source.") && result.criteria) return freshnessDraft(result, base);
  if (/^(model|snapshot|seed)\./.test(id) && result.status.toLowerCase() === "error") {
    const name = id.split(".").slice(2).join(".");
    return {
      ...base,
      type: "run_failed",
      status: "firing",
      severity: "error",
      dataset: { name, dbtUniqueId: id },
      message: `${id} failed: ${result.message ?? "no message"}`,
    };
  }
  return undefined;
}

/**
 * dbt artifacts: `run_results.json` (v4–v6) alone, `{ "run_results": …, "manifest": … }` to name each
 * test's model and column from the manifest (`attached_node`, `column_name`), or `sources.json` from
 * `dbt source freshness`. Tests: fail/warn → firing, pass → resolved, error → run_failed; a model
 * that errors → run_failed. Without a manifest the model and column are guessed from the test name.
 */
export function adaptDbtRunResults(body: unknown, ctx: AdapterContext): Signal[] {
  const isBundle = typeof body === "object" && body !== null && "run_results" in body;
  const { run_results: runResults, manifest } = isBundle
    ? parsePayload(BundleSchema, body, "dbt run_results + manifest bundle")
    : { run_results: parsePayload(RunResultsSchema, body, "dbt run_results.json"), manifest: undefined };
  const at = isBundle ? "run_results.results" : "results";
  return eachItem(runResults.results, at, ctx, (raw, i) => {
    const result = parsePayload(ResultSchema, raw, "dbt result", `${at}.${i}`);
    const draft = draftOf(result, runResults, manifest, ctx);
    return draft ? [buildSignal(draft, ctx)] : [];
  });
}
