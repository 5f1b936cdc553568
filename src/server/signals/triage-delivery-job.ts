import { z } from "zod";
import { defineJobKind } from "../../jobs/queue.js";
import type { EnqueueInput } from "../../store/store.js";

/** The job that triages one stored delivery; its handler loads the signals with `store.signals.getDelivery`. */
export const triageDeliveryJob = defineJobKind(
  "triage-delivery",
  z.strictObject({ source: z.string().min(1), deliveryId: z.string().min(1), repo: z.string().min(1) }),
);
export type TriageDeliveryPayload = z.infer<typeof triageDeliveryJob.schema>;

/**
 * The enqueue input for a delivery's triage job. The idempotency key is the delivery id scoped by its
 * source, so a replay or a start-up recovery never queues the delivery twice.
 */
export function triageDeliveryJobInput(payload: TriageDeliveryPayload, now: Date): EnqueueInput {
  return {
    kind: triageDeliveryJob.kind,
    payload,
    idempotencyKey: `triage-delivery:${payload.source}:${payload.deliveryId}`,
    now,
  };
}
