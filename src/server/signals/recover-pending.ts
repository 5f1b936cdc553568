import type { Store } from "../../store/store.js";
import { triageDeliveryJobInput } from "./triage-delivery-job.js";

/**
 * Re-enqueues the triage job of every delivery still pending at start-up. The idempotency key is the
 * one the intake used, so a job that is already queued (or done) is found, not duplicated; running
 * this any number of times is safe. Returns how many jobs it had to create anew.
 */
export async function recoverPendingDeliveries(input: {
  store: Pick<Store, "signals" | "jobs">;
  now: Date;
  batchSize?: number;
}): Promise<{ pending: number; requeued: number }> {
  const { store, now } = input;
  const pending = await store.signals.pendingDeliveries({ limit: input.batchSize ?? 10_000 });
  let requeued = 0;
  for (const delivery of pending) {
    const job = triageDeliveryJobInput(
      { source: delivery.source, deliveryId: delivery.deliveryId, repo: delivery.repo },
      now,
    );
    const { created } = await store.jobs.enqueue(job);
    if (created) requeued += 1;
  }
  return { pending: pending.length, requeued };
}
