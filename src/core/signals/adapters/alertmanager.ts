import { z } from "zod";
import { SignalError } from "../../errors.js";
import { buildSignal, normalizeSeverity, type SignalDraft, toIso, toNumber } from "../build-signal.js";
import { eachItem } from "../each-item.js";
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
  // Each alert is validated on its own, so one bad alert does not lose the group (Alertmanager never retries a 4xx).
  alerts: z.array(z.unknown()).min(1),
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
  return {
    source: {
      kind: "alertmanager",
      producer: webhook.receiver ?? undefined,
      url: alert.generatorURL ?? webhook.externalURL ?? undefined,
    },
    // Every firing notification (first or repeated) is one observation "still firing at arrival";
    // a resolution is one observation at its endsAt, the same however often it is re-sent.
    idParts: resolved
      ? [alert.fingerprint ?? `${ctx.deliveryId}/${index}`, alert.status, alert.startsAt, alert.endsAt ?? ""]
      : [alert.fingerprint ?? `${index}`, alert.status, alert.startsAt, ctx.deliveryId],
    observedAt: resolved ? toIso(alert.endsAt, ctx.receivedAt) : ctx.receivedAt.toISOString(),
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
 * and `threshold` (with label `direction: below|above`) the limit. A firing alert is observed when the
 * notification arrives (each notification is one more point); a resolved one at its `endsAt`, keyed
 * by the fingerprint. An alert that cannot be read is skipped with its reason (see `eachItem`).
 */
export function adaptAlertmanager(body: unknown, ctx: AdapterContext): Signal[] {
  const webhook = parsePayload(WebhookSchema, body, "Alertmanager webhook");
  return eachItem(webhook.alerts, "alerts", ctx, (raw, i) => {
    const alert = parsePayload(AlertSchema, raw, "Alertmanager alert", `alerts.${i}`);
    return [buildSignal(alertDraft(alert, i, webhook, ctx), ctx)];
  });
}
