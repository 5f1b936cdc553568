import type { Context } from "probot";
import { DASHBOARD_MARKER, takeCheckedActions } from "../../core/render/render-dashboard.js";
import type { AppDeps } from "../app-deps.js";
import { runDashboardActions } from "../dashboard/run-dashboard-actions.js";
import { DASHBOARD_ISSUE_KEY } from "../dashboard/upsert-dashboard.js";

/**
 * Ticked boxes on the feedback dashboard: clears them first (so a second edit cannot run them
 * twice), then runs their actions. Edits by bots, Backflow's own included, are ignored.
 */
export function handleIssuesEdited(deps: AppDeps) {
  return async (context: Context<"issues.edited">): Promise<void> => {
    const { issue, sender } = context.payload;
    const { owner, repo } = context.repo();
    const fields = { repo: `${owner}/${repo}`, issue: issue.number };
    if (sender.type === "Bot") {
      context.log.debug(fields, "ignoring issue edit by a bot");
      return;
    }
    if (!issue.body?.includes(DASHBOARD_MARKER)) return;
    const { actions, cleared } = takeCheckedActions(issue.body);
    if (actions.length === 0) return;
    // Anyone can paste the marker into an issue of their own: only the dashboard Backflow wrote runs actions.
    const known = await deps.store.repoState.get<number>({
      repo: `${owner}/${repo}`.toLowerCase(),
      key: DASHBOARD_ISSUE_KEY,
    });
    if (issue.user?.type !== "Bot" || (typeof known === "number" && known !== issue.number)) {
      context.log.info(
        { ...fields, author: issue.user?.login },
        "ignoring ticked boxes on an issue that is not the dashboard",
      );
      return;
    }
    if (deps.dryRun) {
      context.log.info({ ...fields, actions }, "dry run: would run dashboard actions");
      return;
    }
    await context.octokit.rest.issues.update({ owner, repo, issue_number: issue.number, body: cleared });
    await runDashboardActions({
      octokit: context.octokit,
      deps,
      log: context.log,
      owner,
      repo,
      actor: sender.login,
      issueNumber: issue.number,
      actions,
    });
    context.log.info({ ...fields, actions: actions.map((a) => a.action) }, "ran dashboard actions");
  };
}
