import { z } from "zod";
import { SignalError } from "../../errors.js";
import { buildSignal, normalizeSeverity, type SignalDraft, toIso, toNumber } from "../build-signal.js";
import { parsePayload } from "../parse-payload.js";
import { type AdapterContext, metricKindOf, type Signal, type SignalType } from "../signal-schema.js";

const Labels = z.record(z.string(), z.string());
const AlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: Labels,
  annotations: Labels.nullish(),
  startsAt: z.string(),
  endsAt: z.string().nullish(),
  generatorURL: z.string().nullish(),
  fingerprint: z.string().nullish(),
});
const WebhookSchema = z.object({
  version: z.string().nullish(),
  groupKey: z.string().nullish(),
  receiver: z.string().nullish(),
  status: z.string().nullish(),
  commonLabels: Labels.nullish(),
  externalURL: z.string().nullish(),
  alerts: z.array(AlertSchema).min(1),
});
type Alert = z.infer<typeof AlertSchema>;

function typeOf(labels: Record<string, string>, kind: string): SignalType {
  const declared = labels.signal_type ?? labels.type;
  if (declared === "check_failed" || declared === "freshness_breach" || declared === "schema_change")
    return declared;
  return kind === "freshness" ? "freshness_breach" : "metric_breach";
}

function alertDraft(
  alert: Alert,
  index: number,
  webhook: z.infer<typeof WebhookSchema>,
  ctx: AdapterContext,
): SignalDraft {
  const labels = { ...webhook.commonLabels, ...alert.labels };
  const annotations = alert.annotations ?? {};
  const dataset = labels.dataset ?? labels.table;
  if (!dataset) {
    throw new SignalError(
      `Alertmanager alert ${index} (${labels.alertname ?? "unnamed"}) has no dataset label. Add a \`dataset\` label naming the table (e.g. analytics.orders) to the alert rule.`,
      400,
      `alerts.${index}.labels.dataset`,
    );
  }
  const metric = labels.metric ?? labels.alertname ?? "alert";
  const kind = metricKindOf(metric);
  const resolved = alert.status === "resolved";
  const observed = resolved && alert.endsAt ? alert.endsAt : alert.startsAt;
  return {
    source: {
      kind: "alertmanager",
      producer: webhook.receiver ?? undefined,
      url: alert.generatorURL ?? webhook.externalURL ?? undefined,
    },
    idParts: [
      alert.fingerprint ?? `${ctx.deliveryId}/${index}`,
      alert.status,
      alert.startsAt,
      resolved ? (alert.endsAt ?? undefined) : undefined,
    ],
    observedAt: toIso(observed, ctx.receivedAt),
    type: typeOf(labels, kind),
    status: alert.status,
    severity: normalizeSeverity(labels.severity, "warning"),
    dataset: {
      namespace: labels.namespace,
      name: dataset,
      contractId: labels.contract_id,
      dbtUniqueId: labels.dbt_unique_id,
    },
    column: labels.column || undefined,
    check: { name: labels.alertname ?? metric, ruleId: labels.rule_id },
    measurement: {
      metric,
      kind,
      value: toNumber(annotations.value ?? labels.value),
      unit: labels.unit ?? annotations.unit,
      threshold: toNumber(annotations.threshold) === undefined ? undefined : thresholdOf(labels, annotations),
    },
    message: `${alert.status}: ${annotations.summary ?? annotations.description ?? labels.alertname ?? metric}`,
    raw: alert,
  };
}

function thresholdOf(labels: Record<string, string>, annotations: Record<string, string>) {
  const limit = toNumber(annotations.threshold) ?? 0;
  return labels.direction === "below" ? { mustBeGreaterOrEqualTo: limit } : { mustBeLessOrEqualTo: limit };
}

/**
 * Prometheus Alertmanager webhook (version 4). Each alert becomes a signal with its own status.
 * Label convention: `dataset` (required, or `table`), `column`, `metric` (else `alertname`),
 * `severity` (critical → error), `contract_id`, `rule_id`; annotation `value` is the observed number
 * and `threshold` (with label `direction: below|above`) the limit. The fingerprint keys the id.
 */
export function adaptAlertmanager(body: unknown, ctx: AdapterContext): Signal[] {
  const webhook = parsePayload(WebhookSchema, body, "Alertmanager webhook");
  return webhook.alerts.map((alert, i) => buildSignal(alertDraft(alert, i, webhook, ctx), ctx));
}
