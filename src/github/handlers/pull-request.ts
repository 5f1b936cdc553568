import type { Context } from "probot";
import { z } from "zod";
import type { AppDeps } from "../app-deps.js";
import { enqueueImpactCheck } from "../impact/impact-check-job.js";
import { CommitShaSchema, RepoEventSchema, webhookTargetOf } from "./event-schemas.js";
import { parseEvent } from "./parse-event.js";

/**
 * The pull request actions after which the head SHA needs an impact check run. `edited` counts only
 * when the body (its `expects:` block) or the base branch changed; a title edit changes nothing.
 */
export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
] as const;

const PullRequestEventSchema = RepoEventSchema.extend({
  action: z.string(),
  changes: z.object({ body: z.unknown().optional(), base: z.unknown().optional() }).optional(),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    draft: z.boolean().optional(),
    body: z.string().nullable().optional(),
    head: z.object({ sha: CommitShaSchema }),
    base: z.object({ sha: CommitShaSchema }),
  }),
});

/**
 * Queues the impact check of the pull request's head SHA (the job writes the check run). Bots' pull
 * requests are checked too: a Renovate bump or Backflow's own revert needs the same review, and
 * `rollback: auto` merges a revert only on a green impact check.
 */
export function handlePullRequest(deps: AppDeps) {
  return async (context: Context<(typeof PULL_REQUEST_EVENTS)[number]>): Promise<void> => {
    const event = parseEvent(context, PullRequestEventSchema);
    const { pull_request: pr } = event;
    const target = webhookTargetOf(event);
    const fields = { repo: target.repo, pr: pr.number, headSha: pr.head.sha };
    // A new base is a different comparison for the same head SHA, so it is analysed again too.
    if (event.action === "edited" && !event.changes?.body && !event.changes?.base) {
      context.log.debug(fields, "ignoring pull request edit that changes neither body nor base");
      return;
    }
    if (pr.draft) {
      context.log.debug(fields, "ignoring draft pull request until it is ready for review");
      return;
    }
    if (pr.state !== "open") {
      context.log.debug(fields, "ignoring pull request that is not open");
      return;
    }
    const created = await enqueueImpactCheck({
      store: deps.store,
      payload: {
        ...target,
        pr: pr.number,
        baseSha: pr.base.sha,
        headSha: pr.head.sha,
        prBody: pr.body ?? null,
      },
      now: deps.clock(),
    });
    context.log.info({ ...fields, created }, created ? "queued impact check" : "impact check already queued");
  };
}
