import { z } from "zod";
import { RepoFullNameSchema, repoKeyOf } from "../../core/github/repo-key.js";
import {
  lastCompletedPeriod,
  type ReviewCadence,
  type ReviewPeriod,
} from "../../core/review/review-period.js";
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
 * Queues the review run at `runAt` that publishes `period`, once: the idempotency key names the
 * repository and the period, so two callers (a run scheduling its successor, a config validation,
 * the dashboard) never queue two runs of one period; the store remembers the scheduled time so
 * callers on every merge cost one read.
 */
export async function scheduleReview(input: {
  store: Pick<Store, "jobs" | "repoState">;
  /** `owner/name` as GitHub spells it. */
  repo: string;
  installationId?: number;
  /** The period the run will publish (the last one completed at `runAt`). */
  period: Pick<ReviewPeriod, "key">;
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
    idempotencyKey: reviewRunKey(repoKey, input.period.key),
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

/** The idempotency key of the run that publishes period `periodKey` (`2026-12`, `2026-W49`, `2026-Q4`). */
export function reviewRunKey(repoKey: string, periodKey: string): string {
  return `review:${repoKey}:${periodKey}`;
}

/**
 * Makes sure a review run is pending: when none is scheduled in the future (a new installation, a
 * repository whose dashboard never refreshes, a review turned back on), one is queued now; it
 * publishes the last completed period and schedules itself at the next period's end. Costs one store
 * read when a run is already pending; `review: off` schedules nothing. Called by the dashboard's
 * refresh and by each validation of the default branch's config.
 */
export async function ensureReviewScheduled(input: {
  store: Pick<Store, "jobs" | "repoState">;
  repo: string;
  installationId?: number;
  /** The repository's `review` setting. */
  review: ReviewCadence | "off";
  now: Date;
}): Promise<boolean> {
  if (input.review === "off") return false;
  const known = await input.store.repoState.get<ReviewSchedule>({
    repo: repoKeyOf(input.repo),
    key: REVIEW_SCHEDULE_KEY,
  });
  if (known && Date.parse(known.runAt) > input.now.getTime()) return false;
  return scheduleReview({
    store: input.store,
    repo: input.repo,
    ...(input.installationId !== undefined ? { installationId: input.installationId } : {}),
    period: lastCompletedPeriod(input.review, input.now),
    runAt: input.now,
    now: input.now,
  });
}
