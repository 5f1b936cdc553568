import { z } from "zod";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { recordCanary } from "../canary/record-canary.js";
import { loadDefaultBranchContext } from "../drift/load-triage-context.js";
import { CommitShaSchema } from "../handlers/event-schemas.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";
import { onProposalMerged } from "../proposals/on-proposal-merged.js";
import { watchMergedExpectations } from "./watch-merged-expectations.js";

export const MergedPullRequestPayloadSchema = WebhookTargetSchema.extend({
  pr: z.strictObject({
    number: z.number().int().positive(),
    body: z.string().nullable(),
    mergedAt: z.string().min(1),
    mergeSha: CommitShaSchema,
    author: z.string().optional(),
  }),
  intoDefaultBranch: z
    .boolean()
    .describe("Expectations are watched only for merges into the default branch."),
});
export type MergedPullRequestPayload = z.infer<typeof MergedPullRequestPayloadSchema>;

/** After a merge: note a merged Backflow proposal on its drift issue, and watch the PR's `expects:` block. */
export const mergedPullRequestJob = defineJobKind("merged-pull-request", MergedPullRequestPayloadSchema);

/** Queues the merged pull request once per repository and pull request. */
export async function enqueueMergedPullRequest(input: {
  store: Pick<Store, "jobs">;
  payload: MergedPullRequestPayload;
  now: Date;
}): Promise<boolean> {
  const { payload } = input;
  const { created } = await enqueueJob(input.store, {
    kind: mergedPullRequestJob,
    payload,
    idempotencyKey: `merged-pull-request:${repoKeyOf(payload.repo)}:${payload.pr.number}`,
    now: input.now,
  });
  return created;
}

/**
 * The job: every step is idempotent (a stored note flag, expectations keyed by PR and line, one
 * canary per PR).
 */
export async function runMergedPullRequest(
  target: RepoTarget,
  payload: MergedPullRequestPayload,
  signal?: AbortSignal,
): Promise<void> {
  const { pr } = payload;
  await onProposalMerged({ ...target, pullRequest: { number: pr.number, merged: true, body: pr.body } });
  if (!payload.intoDefaultBranch) {
    target.log.debug({ repo: target.repoKey, pr: pr.number }, "merged into another branch than the default");
    return;
  }
  await watchMergedExpectations({
    ...target,
    pr,
    loadGraph: async () => (await loadDefaultBranchContext(target)).graph,
  });
  // The canary watches everything the merge touched; an `expects:` block still decides its own rollback.
  const canary = await recordCanary({ ...target, pr, ...(signal ? { signal } : {}) });
  if (canary.action === "skipped")
    target.log.debug({ repo: target.repoKey, pr: pr.number, reason: canary.reason }, "no canary recorded");
}
