import { z } from "zod";
import { RepoFullNameSchema, repoKeyOf } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";

export const ReviewPayloadSchema = z.strictObject({
  repo: RepoFullNameSchema,
  installationId: z.number().int().positive().optional(),
});
export type ReviewPayload = z.infer<typeof ReviewPayloadSchema>;

/** The recurring review: one issue per period (config `review`), then the next run at the next period's end. */
export const reviewJob = defineJobKind("review", ReviewPayloadSchema);

/** Where the next run is recorded, so repeated scheduling calls enqueue nothing. */
export const REVIEW_SCHEDULE_KEY = "review-schedule";
/** The latest published review issue (`{ number, key, title }`), which the dashboard links. */
export const LATEST_REVIEW_KEY = "review-latest";

export type ReviewSchedule = { readonly runAt: string };

/**
 * Queues the review run at `runAt` (a period's end) once: the idempotency key names the run time,
 * and the store remembers the scheduled time so callers on every merge cost one read.
 */
export async function scheduleReview(input: {
  store: Pick<Store, "jobs" | "repoState">;
  /** `owner/name` as GitHub spells it. */
  repo: string;
  installationId?: number;
  runAt: Date;
  now: Date;
}): Promise<boolean> {
  const repoKey = repoKeyOf(input.repo);
  const known = await input.store.repoState.get<ReviewSchedule>({ repo: repoKey, key: REVIEW_SCHEDULE_KEY });
  if (known && Date.parse(known.runAt) === input.runAt.getTime()) return false;
  const { created } = await enqueueJob(input.store, {
    kind: reviewJob,
    payload: {
      repo: input.repo,
      ...(input.installationId !== undefined ? { installationId: input.installationId } : {}),
    },
    idempotencyKey: `review:${repoKey}:${input.runAt.toISOString()}`,
    runAt: input.runAt,
    now: input.now,
  });
  await input.store.repoState.put({
    repo: repoKey,
    key: REVIEW_SCHEDULE_KEY,
    value: { runAt: input.runAt.toISOString() } satisfies ReviewSchedule,
    now: input.now,
  });
  return created;
}

/**
 * Makes sure a review run is pending: when none is scheduled in the future (a new installation, a
 * review turned back on), one is queued now; it publishes the last completed period and schedules
 * itself at the next period's end. Costs one store read when a run is already pending.
 */
export async function ensureReviewScheduled(input: {
  store: Pick<Store, "jobs" | "repoState">;
  repo: string;
  now: Date;
}): Promise<boolean> {
  const known = await input.store.repoState.get<ReviewSchedule>({
    repo: repoKeyOf(input.repo),
    key: REVIEW_SCHEDULE_KEY,
  });
  if (known && Date.parse(known.runAt) > input.now.getTime()) return false;
  return scheduleReview({ ...input, runAt: input.now });
}
