import { z } from "zod";
import type { Store } from "../store/store.js";
import { defineJobKind, enqueueJob, handleJob, type JobHandler } from "./queue.js";
import type { WorkerLog } from "./worker.js";

const DAY_MS = 86_400_000;

/** Days of audit log kept when BACKFLOW_AUDIT_RETENTION_DAYS does not say. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/** Prunes the store once a day; each run queues the next day's. It never calls GitHub. */
export const pruneStoreJob = defineJobKind(
  "prune-store",
  z.strictObject({
    retentionDays: z.number().int().positive(),
    auditRetentionDays: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("Days of audit log kept; 0 keeps it all; absent: DEFAULT_AUDIT_RETENTION_DAYS."),
  }),
  { github: false, concurrency: 1 },
);

/** Queues the prune of the day after `now` (one job per day, however many processes ask). */
export async function schedulePrune(input: {
  store: Pick<Store, "jobs">;
  retentionDays: number;
  auditRetentionDays?: number;
  now: Date;
}): Promise<void> {
  if (input.retentionDays <= 0) return;
  const day = Math.floor(input.now.getTime() / DAY_MS) + 1;
  await enqueueJob(input.store, {
    kind: pruneStoreJob,
    payload: {
      retentionDays: input.retentionDays,
      ...(input.auditRetentionDays !== undefined && { auditRetentionDays: input.auditRetentionDays }),
    },
    idempotencyKey: `prune-store:${day}`,
    runAt: new Date(day * DAY_MS),
    now: input.now,
  });
}

/**
 * The worker's handler for `prune-store` jobs: removes what is older than the retention window
 * (see RetentionStore), the audit log past its own window, and queues tomorrow's run.
 * @example createWorker({ store, handlers: Object.fromEntries([pruneStoreHandler({ store, clock, log })]), workerId })
 */
export function pruneStoreHandler(input: {
  store: Pick<Store, "jobs" | "retention">;
  clock: () => Date;
  log: WorkerLog;
}): [string, JobHandler] {
  return handleJob(pruneStoreJob, async ({ retentionDays, auditRetentionDays }) => {
    const now = input.clock();
    const before = new Date(now.getTime() - retentionDays * DAY_MS);
    const auditDays = auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    const auditBefore = auditDays > 0 ? new Date(now.getTime() - auditDays * DAY_MS) : undefined;
    const counts = await input.store.retention.prune({ before, now, ...(auditBefore && { auditBefore }) });
    input.log.info({ ...counts, before: before.toISOString() }, "pruned the store");
    await schedulePrune({ store: input.store, retentionDays, auditRetentionDays, now });
  });
}
