import { z } from "zod";
import { RepoFullNameSchema } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import { CommitShaSchema } from "../handlers/event-schemas.js";

export const AutoMergeRevertPayloadSchema = z.strictObject({
  repo: RepoFullNameSchema,
  revertPr: z.number().int().positive().describe("The revert pull request Backflow opened."),
  revertedPr: z.number().int().positive().describe("The merged pull request it undoes."),
  writtenSha: CommitShaSchema.describe(
    "The commit Backflow wrote on the revert branch; anything else is not merged.",
  ),
  reason: z.string().describe("Why the revert was opened (the violated expectation)."),
});
export type AutoMergeRevertPayload = z.infer<typeof AutoMergeRevertPayloadSchema>;

/** Merges a revert pull request under `rollback: auto` once it is green and clean (retried while GitHub computes mergeability). */
export const autoMergeRevertJob = defineJobKind("auto-merge-revert", AutoMergeRevertPayloadSchema);

/** Queues the merge attempt: one job per revert commit, however many verdicts ask for it. */
export async function enqueueAutoMergeRevert(input: {
  store: Pick<Store, "jobs">;
  payload: AutoMergeRevertPayload;
  now: Date;
}): Promise<void> {
  const { payload } = input;
  await enqueueJob(input.store, {
    kind: autoMergeRevertJob,
    payload,
    idempotencyKey: `auto-merge-revert:${payload.repo.toLowerCase()}:${payload.revertPr}:${payload.writtenSha}`,
    // GitHub computes mergeability in the background; asking at once mostly gets `null`.
    runAt: new Date(input.now.getTime() + 5_000),
    maxAttempts: 8,
    now: input.now,
  });
}
