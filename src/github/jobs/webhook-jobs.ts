import type { z } from "zod";
import { handleJob, type JobHandler, type JobKind } from "../../jobs/queue.js";
import type { RepoTarget } from "../app-deps.js";
import { commentCommandsJob, runCommentCommandsJob } from "../commands/comment-commands-job.js";
import { runValidateConfig, validateConfigJob } from "../config/validate-config-job.js";
import { dashboardActionsJob, runDashboardActionsJob } from "../dashboard/dashboard-actions-job.js";
import { driftIssueStateJob, runDriftIssueState } from "../drift/drift-issue-state-job.js";
import { mergedPullRequestJob, runMergedPullRequest } from "../expectations/merged-pull-request-job.js";
import { acknowledgeImpact } from "../impact/acknowledge-impact.js";
import { acknowledgeImpactJob } from "../impact/acknowledge-impact-job.js";
import { impactCheckJob, runImpactCheckJob } from "../impact/impact-check-job.js";
import { type JobHandlerInput, repoTargetOf, type WebhookTarget } from "./installation-octokit.js";

/** A handler factory for a job kind a webhook enqueued: the payload names the repository and installation. */
export type WebhookJobHandler = (input: JobHandlerInput) => [string, JobHandler];

function webhookJob<S extends z.ZodType<WebhookTarget>>(
  kind: JobKind<S>,
  run: (target: RepoTarget, payload: z.infer<S>, signal: AbortSignal) => Promise<unknown>,
): WebhookJobHandler {
  return (input) =>
    handleJob(kind, async (payload, ctx) => {
      await run(await repoTargetOf(input, payload.repo, payload.installationId), payload, ctx.signal);
    });
}

/** `impact-check`: the check run of a pull request head (from `pull_request` events). */
export const impactCheckHandler = webhookJob(impactCheckJob, runImpactCheckJob);
/** `acknowledge-impact`: the acknowledge button of an impact check run (from `check_run.requested_action`). */
export const acknowledgeImpactHandler = webhookJob(acknowledgeImpactJob, (target, payload) =>
  acknowledgeImpact({ ...target, headSha: payload.headSha, login: payload.login }),
);
/** `validate-config`: `.github/backflow.yml` after a push to the default branch or an install. */
export const validateConfigHandler = webhookJob(validateConfigJob, runValidateConfig);
/** `merged-pull-request`: merged proposals and `expects:` blocks (from `pull_request.closed`). */
export const mergedPullRequestHandler = webhookJob(mergedPullRequestJob, runMergedPullRequest);
/** `comment-commands`: `/backflow` commands (from `issue_comment.created`). */
export const commentCommandsHandler = webhookJob(commentCommandsJob, runCommentCommandsJob);
/** `drift-issue-state`: learning from drift issues closed as not planned, and reopened (from `issues`). */
export const driftIssueStateHandler = webhookJob(driftIssueStateJob, runDriftIssueState);
/** `dashboard-actions`: ticked boxes on the feedback dashboard (from `issues.edited`). */
export const dashboardActionsHandler = webhookJob(dashboardActionsJob, runDashboardActionsJob);

/** Every job kind a webhook handler enqueues, with its handler factory. */
export const WEBHOOK_JOBS = [
  [impactCheckJob, impactCheckHandler],
  [acknowledgeImpactJob, acknowledgeImpactHandler],
  [validateConfigJob, validateConfigHandler],
  [mergedPullRequestJob, mergedPullRequestHandler],
  [commentCommandsJob, commentCommandsHandler],
  [driftIssueStateJob, driftIssueStateHandler],
  [dashboardActionsJob, dashboardActionsHandler],
] as const;
