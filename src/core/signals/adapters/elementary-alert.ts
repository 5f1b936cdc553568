import { z } from "zod";
import { buildSignal, normalizeSeverity, type SignalDraft, toIso, toNumber } from "../build-signal.js";
import { metricOfCheck } from "../check-metric.js";
import { eachItem } from "../each-item.js";
import { parsePayload } from "../parse-payload.js";
import { type AdapterContext, metricKindOf, SchemaChangeKindSchema, type Signal } from "../signal-schema.js";

const Str = z.string().nullish();
// Elementary's alert models (TestAlertModel, ModelAlertModel, SourceFreshnessAlertModel) as a forwarder
// posts them; fields read from warehouse rows may arrive as JSON strings, so only the ones used are typed.
const AlertSchema = z
  .object({
    id: z.union([z.string(), z.number()]).nullish(),
    alert_class_id: Str,
    test_unique_id: Str,
    elementary_unique_id: Str,
    test_name: Str,
    test_short_name: Str,
    test_type: Str,
    test_sub_type: Str,
    test_results_description: Str,
    other: z.unknown().optional(),
    severity: Str,
    status: Str,
    model_unique_id: Str,
    database_name: Str,
    schema_name: Str,
    table_name: Str,
    column_name: Str,
    detected_at: z.union([z.string(), z.number()]).nullish(),
    report_url: Str,
    // model alerts
    alias: Str,
    materialization: Str,
    message: Str,
    // source freshness alerts
    source_name: Str,
    identifier: Str,
    max_loaded_at: Str,
    max_loaded_at_time_ago_in_s: z.union([z.number(), z.string()]).nullish(),
    error_after: z.unknown().optional(),
    warn_after: z.unknown().optional(),
    error: Str,
  })
  .refine((a) => Boolean(a.test_unique_id || a.model_unique_id || (a.source_name && a.identifier)), {
    message:
      "an Elementary alert needs test_unique_id (test alert), model_unique_id or source_name + identifier",
  })
  .refine((a) => a.id != null || Boolean(a.alert_class_id), {
    message: "an Elementary alert needs id or alert_class_id",
  });
type Alert = z.infer<typeof AlertSchema>;

type Base = Pick<SignalDraft, "source" | "idParts" | "observedAt" | "raw">;

/** `database.schema.table` lower-cased, as Elementary's table_full_name; else the dbt id's last part. */
function datasetName(alert: Alert, table: string | null | undefined): string {
  const parts = [alert.database_name, alert.schema_name, table].filter((p): p is string => Boolean(p));
  if (table && parts.length > 0) return parts.join(".").toLowerCase();
  const fromId = alert.model_unique_id?.split(".").slice(2).join(".");
  return (fromId || alert.model_unique_id || alert.test_unique_id || "unknown").toLowerCase();
}

function firing(status: string): { status: "firing" | "resolved"; severity: "error" | "warning" | "info" } {
  if (status === "warn") return { status: "firing", severity: "warning" };
  if (status === "pass") return { status: "resolved", severity: "info" };
  return { status: "firing", severity: "error" };
}

// Descriptions Elementary writes: "The last row_count value is 1200.0 …", "Got 12 results, configured
// to fail if != 0", "… which is 26.5 hours without updates …" (Python's capitalize() lower-cases them).
function valueOfDescription(text: string): { value?: number; unit?: string } {
  const hours = /which is\s*(-?\d+(?:\.\d+)?)\s*hours/i.exec(text)?.[1];
  if (hours) return { value: Number(hours), unit: "h" };
  const last = /\bvalue (?:for dimension .*? )?is (-?\d+(?:\.\d+)?)/i.exec(text)?.[1];
  if (last) return { value: Number(last) };
  const got = /\bgot (\d+) results?\b/i.exec(text)?.[1];
  return got ? { value: Number(got), unit: "rows" } : {};
}

function schemaChangeOf(alert: Alert) {
  const kind = SchemaChangeKindSchema.safeParse(alert.test_sub_type?.toLowerCase());
  if (!kind.success) return undefined;
  const types = /changed from (.+?) to (.+?)\.?$/i.exec(alert.test_results_description ?? "");
  return {
    changes: [
      {
        kind: kind.data,
        column: alert.column_name?.slice(0, 500) || undefined,
        from: types?.[1]?.slice(0, 500),
        to: types?.[2]?.slice(0, 500),
      },
    ],
  };
}

function testDraft(alert: Alert, base: Base): SignalDraft {
  // An alert without status is a failure at the test's configured severity.
  const status =
    alert.status?.toLowerCase() ??
    (normalizeSeverity(alert.severity, "error") === "warning" ? "warn" : "fail");
  const testType = alert.test_type?.toLowerCase() ?? "dbt_test";
  const subType = alert.test_sub_type ?? "";
  const description = alert.test_results_description ?? "";
  const shortName = alert.test_short_name || alert.test_name || "test";
  const { value, unit } = valueOfDescription(description);
  let metric = metricOfCheck(shortName);
  let kind = metricKindOf(metric);
  if (testType === "anomaly_detection" && subType) {
    metric = subType;
    const subKind = metricKindOf(subType);
    kind = subKind === "custom" ? "drift" : subKind;
  }
  const schema = testType === "schema_change";
  const where = alert.column_name
    ? `${datasetName(alert, alert.table_name)}.${alert.column_name}`
    : datasetName(alert, alert.table_name);
  return {
    ...base,
    type:
      status === "error"
        ? "run_failed"
        : schema
          ? "schema_change"
          : kind === "freshness"
            ? "freshness_breach"
            : testType === "anomaly_detection"
              ? "metric_breach"
              : "check_failed",
    ...firing(status),
    dataset: {
      name: datasetName(alert, alert.table_name),
      dbtUniqueId: alert.model_unique_id ?? undefined,
    },
    column: alert.column_name || undefined,
    check: {
      name: alert.test_name ?? shortName,
      ruleId: alert.test_unique_id ?? undefined,
      type: testType === "dbt_test" ? shortName : `${shortName}:${subType}`,
    },
    measurement: schema
      ? undefined
      : {
          metric,
          kind,
          value: value ?? toNumber(alert.other),
          unit: kind === "freshness" && value !== undefined ? "h" : unit,
          failingRows: unit === "rows" ? value : undefined,
        },
    schemaChange: schema ? schemaChangeOf(alert) : undefined,
    message: `${status}: ${shortName}${subType && testType !== "dbt_test" ? ` (${subType})` : ""} on ${where}${description ? `: ${description}` : ""}`,
  };
}

function freshnessDraft(alert: Alert, base: Base): SignalDraft {
  const status = alert.status?.toLowerCase() ?? "error";
  const seconds = toNumber(alert.max_loaded_at_time_ago_in_s);
  const name = `${alert.source_name}.${alert.identifier}`.toLowerCase();
  return {
    ...base,
    type: status === "runtime error" ? "run_failed" : "freshness_breach",
    ...firing(status),
    dataset: { name, dbtUniqueId: alert.model_unique_id ?? undefined },
    measurement: {
      metric: "latency",
      kind: "freshness",
      value: seconds === undefined ? undefined : Number((seconds / 3600).toFixed(4)),
      unit: "h",
    },
    message: `${status}: ${name} last loaded ${alert.max_loaded_at ?? "?"}${alert.error ? `: ${alert.error}` : ""}`,
  };
}

function modelDraft(alert: Alert, base: Base): SignalDraft {
  const table = alert.alias ?? alert.model_unique_id?.split(".").at(-1);
  return {
    ...base,
    type: "run_failed",
    ...firing(alert.status?.toLowerCase() === "warn" ? "warn" : "error"),
    dataset: { name: datasetName(alert, table), dbtUniqueId: alert.model_unique_id ?? undefined },
    message: `${alert.model_unique_id} failed${alert.materialization ? ` (${alert.materialization})` : ""}: ${alert.message ?? "no message"}`,
  };
}

function alertDraft(alert: Alert, ctx: AdapterContext): SignalDraft {
  const base: Base = {
    source: { kind: "elementary", producer: "elementary", url: alert.report_url ?? undefined },
    idParts: [alert.id ?? undefined, alert.alert_class_id ?? undefined, alert.detected_at ?? undefined],
    observedAt: toIso(alert.detected_at, ctx.receivedAt),
    raw: alert,
  };
  if (alert.test_unique_id) return testDraft(alert, base);
  if (alert.source_name && alert.identifier) return freshnessDraft(alert, base);
  return modelDraft(alert, base);
}

/**
 * Elementary alerts (`edr monitor`'s alert model) posted by a forwarder, one alert or an array. Test
 * alerts: fail/error → firing error (error → run_failed), warn → firing warning; `schema_change`
 * tests carry the column change, `anomaly_detection` tests the sub-type's metric (drift when it has
 * no family). The dataset is `database.schema.table` lower-cased with `model_unique_id` kept as the
 * dbt id. Source freshness alerts → freshness_breach; model alerts → run_failed.
 */
export function adaptElementaryAlert(body: unknown, ctx: AdapterContext): Signal[] {
  if (!Array.isArray(body)) {
    return [buildSignal(alertDraft(parsePayload(AlertSchema, body, "Elementary alert"), ctx), ctx)];
  }
  // A forwarder's list: each alert is read on its own, so one malformed alert does not lose the others.
  const alerts = parsePayload(z.array(z.unknown()).min(1), body, "Elementary alert list");
  return eachItem(alerts, "", ctx, (raw, index) => [
    buildSignal(alertDraft(parsePayload(AlertSchema, raw, "Elementary alert", String(index)), ctx), ctx),
  ]);
}
