import type { Context } from "probot";
import { z } from "zod";
import type { AppDeps } from "../app-deps.js";
import { RepoEventSchema, webhookTargetOf } from "../handlers/event-schemas.js";
import { parseEvent } from "../handlers/parse-event.js";
import { enqueueMergedPullRequest } from "./merged-pull-request-job.js";

const ClosedEventSchema = RepoEventSchema.extend({
  pull_request: z.object({
    number: z.number().int().positive(),
    merged: z.boolean().nullish(),
    merged_at: z.string().nullish(),
    merge_commit_sha: z.string().nullish(),
    body: z.string().nullish(),
    user: z.object({ login: z.string() }).nullish(),
    base: z.object({ ref: z.string() }),
  }),
});

/** On a merged pull request: queue the job that notes merged proposals and watches its `expects:` block. */
export function handlePullRequestClosed(deps: AppDeps) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const event = parseEvent(context, ClosedEventSchema);
    const { pull_request: pr } = event;
    const target = webhookTargetOf(event);
    const fields = { repo: target.repo, pr: pr.number };
    if (!pr.merged || !pr.merged_at || !pr.merge_commit_sha) {
      context.log.debug(fields, "ignoring pull request closed without merging");
      return;
    }
    const created = await enqueueMergedPullRequest({
      store: deps.store,
      payload: {
        ...target,
        pr: {
          number: pr.number,
          body: pr.body ?? null,
          mergedAt: pr.merged_at,
          mergeSha: pr.merge_commit_sha,
          ...(pr.user?.login ? { author: pr.user.login } : {}),
        },
        intoDefaultBranch: pr.base.ref === event.repository.default_branch,
      },
      now: deps.clock(),
    });
    context.log.info({ ...fields, created }, "queued merged pull request");
  };
}
