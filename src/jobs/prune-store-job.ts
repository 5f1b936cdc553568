import { z } from "zod";
import type { Store } from "../store/store.js";
import { defineJobKind, enqueueJob, handleJob, type JobHandler } from "./queue.js";
import type { WorkerLog } from "./worker.js";

const DAY_MS = 86_400_000;

/** Prunes the store once a day; each run queues the next day's. */
export const pruneStoreJob = defineJobKind(
  "prune-store",
  z.strictObject({ retentionDays: z.number().int().positive() }),
);

/** Queues the prune of the day after `now` (one job per day, however many processes ask). */
export async function schedulePrune(input: {
  store: Pick<Store, "jobs">;
  retentionDays: number;
  now: Date;
}): Promise<void> {
  if (input.retentionDays <= 0) return;
  const day = Math.floor(input.now.getTime() / DAY_MS) + 1;
  await enqueueJob(input.store, {
    kind: pruneStoreJob,
    payload: { retentionDays: input.retentionDays },
    idempotencyKey: `prune-store:${day}`,
    runAt: new Date(day * DAY_MS),
    now: input.now,
  });
}

/**
 * The worker's handler for `prune-store` jobs: removes what is older than the retention window
 * (see RetentionStore) and queues tomorrow's run.
 * @example createWorker({ store, handlers: Object.fromEntries([pruneStoreHandler({ store, clock, log })]), workerId })
 */
export function pruneStoreHandler(input: {
  store: Pick<Store, "jobs" | "retention">;
  clock: () => Date;
  log: WorkerLog;
}): [string, JobHandler] {
  return handleJob(pruneStoreJob, async ({ retentionDays }) => {
    const now = input.clock();
    const before = new Date(now.getTime() - retentionDays * DAY_MS);
    const counts = await input.store.retention.prune({ before, now });
    input.log.info({ ...counts, before: before.toISOString() }, "pruned the store");
    await schedulePrune({ store: input.store, retentionDays, now });
  });
}
