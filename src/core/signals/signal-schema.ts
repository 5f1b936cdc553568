import { z } from "zod";
import { type MetricKind, MetricKindSchema } from "../config/schema.js";

/** The version tag a sender may put on canonical signals; the only one that exists. */
export const SIGNAL_SCHEMA_VERSION = "backflow.signal/v1";

/** A signal's message is for humans and capped so one payload cannot flood an issue. */
export const MAX_MESSAGE_CHARS = 1024;
/** The audit copy of the original payload is capped; larger payloads keep a preview only. */
export const MAX_RAW_BYTES = 8 * 1024;

export const SignalFormatSchema = z.enum([
  "backflow",
  "openlineage",
  "great-expectations",
  "dbt",
  "alertmanager",
  "datacontract-cli",
  "soda",
  "elementary",
]);
export type SignalFormat = z.infer<typeof SignalFormatSchema>;

export const SignalTypeSchema = z
  .enum(["check_failed", "metric_breach", "freshness_breach", "schema_change", "run_failed"])
  .describe("What kind of observation this is.");
export type SignalType = z.infer<typeof SignalTypeSchema>;

export const SeveritySchema = z.enum(["info", "warning", "error"]);
export type Severity = z.infer<typeof SeveritySchema>;

const IsoDateTime = z.iso.datetime({ offset: true });

export const SignalSourceSchema = z.strictObject({
  kind: SignalFormatSchema.describe("The format the signal arrived in."),
  name: z.string().min(1).max(200).optional().describe("The configured source it came from."),
  producer: z.string().max(500).optional().describe("Tool and version, or a producer URI."),
  runId: z.string().max(200).optional(),
  url: z.string().max(2000).optional().describe("A link back to the run or alert."),
});

export const DatasetRefSchema = z.strictObject({
  namespace: z.string().max(500).optional().describe("OpenLineage-style namespace, e.g. postgres://db:5432."),
  name: z
    .string()
    .min(1)
    .max(500)
    .describe("The dataset as the tool names it, e.g. analytics.public.orders."),
  dbtUniqueId: z.string().max(500).optional(),
  contractId: z.string().max(200).optional().describe("ODCS contract id."),
  schemaObject: z.string().max(200).optional().describe("ODCS schema[].name or schema[].id."),
});
export type DatasetRef = z.infer<typeof DatasetRefSchema>;

export const CheckRefSchema = z.strictObject({
  name: z.string().min(1).max(500),
  ruleId: z
    .string()
    .max(500)
    .optional()
    .describe("ODCS quality[].id, dbt test unique_id or GX expectation id."),
  dimension: z.string().max(100).optional().describe("ODCS dimension, e.g. completeness."),
  type: z.string().max(200).optional().describe("e.g. not_null, expect_column_values_to_not_be_null."),
});

const Bound = z.number();
/** ODCS quality operators; a signal carries the rule it was measured against, when the tool knows it. */
export const OperatorThresholdSchema = z
  .strictObject({
    mustBe: Bound.optional(),
    mustNotBe: Bound.optional(),
    mustBeGreaterThan: Bound.optional(),
    mustBeGreaterOrEqualTo: Bound.optional(),
    mustBeLessThan: Bound.optional(),
    mustBeLessOrEqualTo: Bound.optional(),
    mustBeBetween: z.tuple([Bound, Bound]).optional(),
    mustNotBeBetween: z.tuple([Bound, Bound]).optional(),
  })
  .describe('An ODCS operator object, e.g. {"mustBeLessThan": 4}.');
export type OperatorThreshold = z.infer<typeof OperatorThresholdSchema>;

export const MeasurementSchema = z.strictObject({
  metric: z.string().min(1).max(200).describe("e.g. nullValues, rowCount, latency, psi, accuracy."),
  kind: MetricKindSchema,
  value: z.number().optional(),
  threshold: OperatorThresholdSchema.optional(),
  unit: z.string().max(50).optional().describe("rows, percent, ratio, s, m, h, d …"),
  failingRows: z.number().int().min(0).optional(),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

export const SchemaChangeKindSchema = z.enum([
  "column_removed",
  "column_added",
  "type_changed",
  "constraint_removed",
  "contract_disabled",
  "materialization_changed",
]);

export const SchemaChangeSchema = z.strictObject({
  changes: z
    .array(
      z.strictObject({
        kind: SchemaChangeKindSchema,
        column: z.string().max(500).optional(),
        from: z.string().max(500).optional(),
        to: z.string().max(500).optional(),
      }),
    )
    .max(500),
});

export const SignalSchema = z
  .strictObject({
    schemaVersion: z.literal(SIGNAL_SCHEMA_VERSION).optional(),
    id: z
      .string()
      .min(1)
      .max(300)
      .describe("Idempotency key: a replayed signal with the same id is a duplicate."),
    source: SignalSourceSchema,
    observedAt: IsoDateTime.describe("When the value was measured (RFC 3339)."),
    receivedAt: IsoDateTime.optional().describe("Set by Backflow on intake."),
    type: SignalTypeSchema,
    status: z.enum(["firing", "resolved"]).describe("resolved means the source now reports it healthy."),
    measuredOnly: z
      .literal(true)
      .optional()
      .describe(
        "The source only measured (e.g. OpenLineage dataQualityMetrics): `status` is no verdict, Backflow's thresholds judge the value. Otherwise a `resolved` status is an explicit resolution.",
      ),
    severity: SeveritySchema,
    dataset: DatasetRefSchema,
    column: z.string().min(1).max(500).optional(),
    check: CheckRefSchema.optional(),
    measurement: MeasurementSchema.optional(),
    schemaChange: SchemaChangeSchema.optional(),
    message: z.string().max(MAX_MESSAGE_CHARS),
    raw: z.unknown().optional().describe(`The original item, for audit; capped at ${MAX_RAW_BYTES} bytes.`),
  })
  .describe("One downstream observation about a dataset, in Backflow's canonical shape.");
export type Signal = z.infer<typeof SignalSchema>;

/** One item of a payload that could not become a signal, and why; the rest of the payload is kept. */
export type SkippedItem = { readonly path: string; readonly reason: string };

/** What the intake passes to every adapter: who sent it, when it arrived, and the delivery id. */
export type AdapterContext = {
  readonly source: string;
  readonly receivedAt: Date;
  readonly deliveryId: string;
  /**
   * When given, an item that cannot be converted (one alert, one facet, one result) is reported here
   * and skipped; without it the adapter throws, as the CLI wants.
   */
  readonly skip?: (item: SkippedItem) => void;
};

/** An adapter turns one payload of its format into canonical signals, or throws SignalError. */
export type SignalAdapter = (body: unknown, ctx: AdapterContext) => Signal[];

// Checked in order on the lower-cased alphanumeric name; short tokens are anchored so that
// "percentage" is not freshness ("age") and "received" is not performance ("ece").
const METRIC_KIND_PATTERNS: ReadonlyArray<readonly [MetricKind, RegExp]> = [
  ["completeness", /null|missing|completeness|empty|blank/],
  ["freshness", /latency|fresh|lateness|^late|lag$|stale|^age|delay|lastupdated|loadedat|timeago/],
  ["volume", /rowcount|^rows$|^numrows|recordcount|volume|^count$|bytes|filecount|^size$/],
  ["performance", /accuracy|^auc|roc|^f1|precision|recall|calibration|brier|^ece$|logloss|^rmse|^mae$|^mape/],
  ["drift", /^psi|^kl|divergence|^ks|kolmogorov|drift|wasserstein|jensen|^js$|chisquare/],
  [
    "consistency",
    /fail|duplicate|unique|referential|relationship|integrity|invalid|accepted|orphan|mismatch/,
  ],
];

/**
 * The metric family a metric name belongs to; unknown names are `custom`.
 *
 * @example metricKindOf("null_rate") // "completeness"
 * @example metricKindOf("rowCount") // "volume"
 */
export function metricKindOf(metricName: string): MetricKind {
  const key = metricName.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (MetricKindSchema.options.includes(key as MetricKind)) return key as MetricKind;
  for (const [kind, pattern] of METRIC_KIND_PATTERNS) {
    if (pattern.test(key)) return kind;
  }
  return "custom";
}
