import type { Context } from "probot";
import { z } from "zod";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { DASHBOARD_MARKER, takeCheckedActions } from "../../core/render/render-dashboard.js";
import type { AppDeps } from "../app-deps.js";
import { enqueueDashboardActions } from "../dashboard/dashboard-actions-job.js";
import { DASHBOARD_ISSUE_KEY } from "../dashboard/upsert-dashboard.js";
import { RepoEventSchema, UserSchema, webhookTargetOf } from "./event-schemas.js";
import { parseEvent } from "./parse-event.js";

const IssueEditedSchema = RepoEventSchema.extend({
  issue: z.object({
    number: z.number().int().positive(),
    body: z.string().nullish(),
    user: UserSchema.nullish(),
  }),
});

/**
 * Ticked boxes on the feedback dashboard: queues a job that clears them and runs their actions.
 * Edits by bots, Backflow's own included, and issues that are not the dashboard are ignored.
 */
export function handleIssuesEdited(deps: AppDeps) {
  return async (context: Context<"issues.edited">): Promise<void> => {
    const event = parseEvent(context, IssueEditedSchema);
    const { issue, sender } = event;
    const target = webhookTargetOf(event);
    const fields = { repo: target.repo, issue: issue.number };
    if (sender.type === "Bot") {
      context.log.debug(fields, "ignoring issue edit by a bot");
      return;
    }
    if (!issue.body?.includes(DASHBOARD_MARKER)) return;
    if (takeCheckedActions(issue.body).actions.length === 0) return;
    // Anyone can paste the marker into an issue of their own: only the dashboard Backflow wrote runs actions.
    const known = await deps.store.repoState.get<number>({
      repo: repoKeyOf(target.repo),
      key: DASHBOARD_ISSUE_KEY,
    });
    if (issue.user?.type !== "Bot" || (typeof known === "number" && known !== issue.number)) {
      context.log.info(
        { ...fields, author: issue.user?.login },
        "ignoring ticked boxes on an issue that is not the dashboard",
      );
      return;
    }
    const created = await enqueueDashboardActions({
      store: deps.store,
      payload: { ...target, issueNumber: issue.number, actor: sender.login },
      delivery: context.id,
      now: deps.clock(),
    });
    context.log.info({ ...fields, created }, "queued dashboard actions");
  };
}
