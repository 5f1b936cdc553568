import { z } from "zod";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";

/** Rebuilds one repository's feedback dashboard issue. */
export const refreshDashboardJob = defineJobKind(
  "refresh-dashboard",
  z.strictObject({ repo: z.string().min(1) }),
);

const MINUTE_MS = 60_000;

/**
 * Asks for a dashboard refresh, debounced per repository and minute: every request in one minute
 * shares one job (idempotency key repo + minute), which runs at the start of the next minute and so
 * sees all of them.
 */
export async function enqueueDashboardRefresh(input: {
  store: Pick<Store, "jobs">;
  repo: string;
  now: Date;
}): Promise<void> {
  const minute = Math.floor(input.now.getTime() / MINUTE_MS);
  const repo = input.repo.toLowerCase();
  await enqueueJob(input.store, {
    kind: refreshDashboardJob,
    payload: { repo },
    idempotencyKey: `refresh-dashboard:${repo}:${minute}`,
    runAt: new Date((minute + 1) * MINUTE_MS),
    now: input.now,
  });
}
