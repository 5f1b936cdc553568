import { z } from "zod";
import { buildSignal, type SignalDraft, toIso } from "../build-signal.js";
import { knownMetricOfCheck } from "../check-metric.js";
import { eachItem } from "../each-item.js";
import { parsePayload } from "../parse-payload.js";
import { type AdapterContext, metricKindOf, type Signal, type SignalType } from "../signal-schema.js";

const Str = z.string().nullish();
const CheckSchema = z.object({
  id: Str,
  key: Str,
  category: Str,
  type: Str,
  name: Str,
  model: Str,
  field: Str,
  qualityId: Str,
  engine: Str,
  result: z.string(),
  reason: Str,
});
const RunSchema = z.object({
  runId: Str,
  datacontractCliVersion: Str,
  dataContractId: Str,
  dataContractVersion: Str,
  timestampStart: Str,
  timestampEnd: Str,
  // Each check is read on its own, so one malformed check does not lose the others.
  checks: z.array(z.unknown()),
});
type Check = z.infer<typeof CheckSchema>;

// Result values that say something about the data; skipped/info/unknown do not.
const STATUS: Record<string, { status: "firing" | "resolved"; severity: "info" | "warning" | "error" }> = {
  failed: { status: "firing", severity: "error" },
  warning: { status: "firing", severity: "warning" },
  error: { status: "firing", severity: "error" },
  passed: { status: "resolved", severity: "info" },
};

function typeOf(check: Check, metric: string): SignalType {
  if (check.result === "error") return "run_failed";
  if (/^(field_is_present|field_type)$/.test(check.type ?? "")) return "schema_change";
  if (metricKindOf(metric) === "freshness") return "freshness_breach";
  return "check_failed";
}

function schemaChangeOf(check: Check, type: SignalType): SignalDraft["schemaChange"] {
  if (type !== "schema_change" || check.result === "passed" || !check.field) return undefined;
  const kind = /field_is_present/.test(check.type ?? "") ? "column_removed" : "type_changed";
  return { changes: [{ kind, column: check.field }] };
}

/**
 * datacontract-cli test results (`datacontract test --output-format json`). Checks with result
 * failed/warning/error are firing, passed ones resolved; skipped/info/unknown are ignored. `model` →
 * dataset, `field` → column, `qualityId` → check.ruleId (the ODCS quality rule id), `dataContractId`
 * → dataset.contractId. Missing-field and type checks become `schema_change` signals.
 */
export function adaptDatacontractCli(body: unknown, ctx: AdapterContext): Signal[] {
  const run = parsePayload(RunSchema, body, "datacontract-cli test result");
  const observedAt = toIso(run.timestampEnd ?? run.timestampStart, ctx.receivedAt);
  return eachItem(run.checks, "checks", ctx, (raw, index) => {
    const check = parsePayload(CheckSchema, raw, "datacontract-cli check", `checks.${index}`);
    const mapped = STATUS[check.result.toLowerCase()];
    if (!mapped) return [];
    const checkType = check.type ?? check.name ?? "check";
    // Quality checks are typed "custom"/"sql"; their name usually says what they measure.
    const metric =
      knownMetricOfCheck(checkType) ?? knownMetricOfCheck(check.name ?? "") ?? check.qualityId ?? checkType;
    const type = typeOf(check, metric);
    const dataset = check.model ?? run.dataContractId ?? "unknown";
    const draft: SignalDraft = {
      source: {
        kind: "datacontract-cli",
        producer: run.datacontractCliVersion ? `datacontract-cli ${run.datacontractCliVersion}` : undefined,
        runId: run.runId ?? undefined,
      },
      idParts: [run.runId ?? ctx.deliveryId, check.id ?? check.key ?? index, check.result],
      observedAt,
      type,
      status: mapped.status,
      severity: mapped.severity,
      dataset: {
        name: dataset,
        contractId: run.dataContractId ?? undefined,
        schemaObject: check.model ?? undefined,
      },
      column: check.field ?? undefined,
      check: {
        name: check.name ?? checkType,
        ruleId: check.qualityId ?? check.key ?? undefined,
        type: check.type ?? undefined,
      },
      measurement: { metric, kind: metricKindOf(metric) },
      schemaChange: schemaChangeOf(check, type),
      message: `${check.result}: ${check.name ?? checkType}${check.field ? ` on ${dataset}.${check.field}` : ` on ${dataset}`}${check.reason ? ` (${check.reason})` : ""}`,
      raw: check,
    };
    return [buildSignal(draft, ctx)];
  });
}
