import { z } from "zod";
import { capRaw, signalId, truncateMessage } from "../build-signal.js";
import { eachItem } from "../each-item.js";
import { parsePayload } from "../parse-payload.js";
import {
  type AdapterContext,
  CheckRefSchema,
  DatasetRefSchema,
  MeasurementSchema,
  metricKindOf,
  SchemaChangeSchema,
  SeveritySchema,
  type Signal,
  SignalSchema,
  SignalSourceSchema,
} from "../signal-schema.js";

const s = SignalSchema.shape;

/**
 * The canonical schema with what Backflow can fill in made optional; published as
 * contracts/signal.schema.json. Unknown keys are ignored so a newer sender does not break an older Backflow.
 */
export const CanonicalInputSchema = z
  .object({
    schemaVersion: s.schemaVersion,
    id: s.id.optional(),
    source: z.object(SignalSourceSchema.shape).partial().optional(),
    observedAt: s.observedAt.optional(),
    type: s.type,
    status: s.status
      .optional()
      .describe(
        "firing or resolved: your verdict (resolved closes a finding at once). Leave it out to send a bare measurement for Backflow's thresholds to judge.",
      ),
    severity: SeveritySchema.default("warning"),
    dataset: z.object(DatasetRefSchema.shape),
    column: s.column,
    check: z.object(CheckRefSchema.shape).optional(),
    measurement: z
      .object({ ...MeasurementSchema.shape, kind: MeasurementSchema.shape.kind.optional() })
      .optional(),
    schemaChange: z.object(SchemaChangeSchema.shape).optional(),
    message: z.string().optional(),
    raw: s.raw,
  })
  .describe("A signal as a sender posts it: Backflow fills in id, source, observedAt, status and severity.");
type CanonicalInput = z.infer<typeof CanonicalInputSchema>;

// Each signal of a batch is validated on its own, so one bad signal does not lose the others.
const CanonicalBatchSchema = z.object({ signals: z.array(z.unknown()).min(1).max(1000) });

function defaultMessage(input: CanonicalInput): string {
  const target = input.column ? `${input.dataset.name}.${input.column}` : input.dataset.name;
  const m = input.measurement;
  const measured = m?.value !== undefined ? `: ${m.metric} = ${m.value}${m.unit ? ` ${m.unit}` : ""}` : "";
  return `${input.type.replace(/_/g, " ")} on ${target}${measured}`;
}

function toSignal(input: CanonicalInput, index: number, ctx: AdapterContext, at: string): Signal {
  const { measurement, source, message, ...rest } = input;
  return parsePayload(
    SignalSchema,
    {
      ...rest,
      schemaVersion: undefined,
      id: input.id ?? signalId("backflow", [ctx.deliveryId, index]),
      source: { kind: "backflow", ...source, name: ctx.source },
      observedAt: input.observedAt ?? ctx.receivedAt.toISOString(),
      status: input.status ?? "firing",
      // Without a status the sender only measured: its value is judged, never taken as a verdict.
      measuredOnly: input.status === undefined && measurement?.value !== undefined ? true : undefined,
      receivedAt: ctx.receivedAt.toISOString(),
      measurement: measurement && {
        ...measurement,
        kind: measurement.kind ?? metricKindOf(measurement.metric),
      },
      message: truncateMessage(message ?? defaultMessage(input)),
      raw: capRaw(input.raw),
    },
    "Backflow signal",
    at,
  );
}

/**
 * Backflow's own format: one canonical signal, or `{ "signals": [...] }`. Backflow fills in what the
 * sender leaves out: `id` (delivery id + index), `observedAt` (arrival time), `status` (firing; a
 * measurement without a status is `measuredOnly`, judged by the thresholds alone),
 * `severity` (warning) and `measurement.kind` (from the metric name).
 */
export function adaptCanonical(body: unknown, ctx: AdapterContext): Signal[] {
  const isBatch = typeof body === "object" && body !== null && "signals" in body;
  if (!isBatch) return [toSignal(parsePayload(CanonicalInputSchema, body, "Backflow signal"), 0, ctx, "")];
  const { signals } = parsePayload(CanonicalBatchSchema, body, "Backflow signal batch");
  return eachItem(signals, "signals", ctx, (raw, index) => {
    const at = `signals.${index}`;
    return [toSignal(parsePayload(CanonicalInputSchema, raw, "Backflow signal", at), index, ctx, at)];
  });
}
