import { z } from "zod";
import { RepoFullNameSchema } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { ExpectationRecord, Store } from "../../store/store.js";

/** After an expectation's deadline, signals have this long to arrive before it is called inconclusive. */
export const DEADLINE_GRACE_MS = 86_400_000;

export const ExpectationDeadlinePayloadSchema = z.strictObject({
  repo: RepoFullNameSchema,
  id: z.string().min(1).describe("The expectation's id, `<repo>#<pr>:<line>`."),
});
export type ExpectationDeadlinePayload = z.infer<typeof ExpectationDeadlinePayloadSchema>;

/** Settles an expectation still watched a day after its deadline as inconclusive (no signal came). */
export const expectationDeadlineJob = defineJobKind("expectation-deadline", ExpectationDeadlinePayloadSchema);

/** When the deadline job of an expectation runs: its deadline plus the grace day. */
export function deadlineCheckAt(record: Pick<ExpectationRecord, "mergedAt" | "spec">): Date {
  return new Date(record.mergedAt.getTime() + record.spec.durationMs + DEADLINE_GRACE_MS);
}

/** Queues the deadline check of each expectation, once per expectation however often the merge is redelivered. */
export async function enqueueExpectationDeadlines(input: {
  store: Pick<Store, "jobs">;
  /** `owner/name` as GitHub spells it, for the job's API calls. */
  repo: string;
  records: readonly ExpectationRecord[];
  now: Date;
}): Promise<void> {
  for (const record of input.records) {
    await enqueueJob(input.store, {
      kind: expectationDeadlineJob,
      payload: { repo: input.repo, id: record.id },
      idempotencyKey: `expectation-deadline:${record.id}`,
      runAt: deadlineCheckAt(record),
      now: input.now,
    });
  }
}
