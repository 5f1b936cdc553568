import { z } from "zod";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { takeCheckedActions } from "../../core/render/render-dashboard.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";
import { editIssueBody } from "../writers/edit-issue-body.js";
import { writerFor } from "../writers/github-writer.js";
import { runDashboardActions } from "./run-dashboard-actions.js";

export const DashboardActionsPayloadSchema = WebhookTargetSchema.extend({
  issueNumber: z.number().int().positive(),
  actor: z.string().min(1),
});
export type DashboardActionsPayload = z.infer<typeof DashboardActionsPayloadSchema>;

/** Runs the boxes ticked on the feedback dashboard. */
export const dashboardActionsJob = defineJobKind("dashboard-actions", DashboardActionsPayloadSchema);

/** Queues the ticked boxes of one dashboard edit (one job per delivery). */
export async function enqueueDashboardActions(input: {
  store: Pick<Store, "jobs">;
  payload: DashboardActionsPayload;
  delivery: string;
  now: Date;
}): Promise<boolean> {
  const { payload } = input;
  const { created } = await enqueueJob(input.store, {
    kind: dashboardActionsJob,
    payload,
    idempotencyKey: `dashboard-actions:${repoKeyOf(payload.repo)}:${payload.issueNumber}:${input.delivery}`,
    now: input.now,
  });
  return created;
}

/**
 * The job reads the dashboard as it is now (a later edit may have ticked or cleared boxes), clears the
 * ticked boxes first (so a second edit cannot run them twice), then runs their actions. In a dry run
 * the clearing is logged, not sent, and the actions run with their writes logged the same way.
 */
export async function runDashboardActionsJob(
  target: RepoTarget,
  payload: DashboardActionsPayload,
): Promise<void> {
  const { owner, repo, log, repoKey } = target;
  const fields = { repo: repoKey, issue: payload.issueNumber };
  const writer = writerFor(target);
  const { data: issue } = await writer.read((o) =>
    o.rest.issues.get({ owner, repo, issue_number: payload.issueNumber }),
  );
  const { actions, cleared } = takeCheckedActions(issue.body ?? "");
  if (actions.length === 0) {
    log.debug(fields, "no ticked boxes left on the dashboard");
    return;
  }
  await editIssueBody(writer, { issueNumber: payload.issueNumber, body: cleared });
  await runDashboardActions({ ...target, actor: payload.actor, issueNumber: payload.issueNumber, actions });
  log.info({ ...fields, actions: actions.map((a) => a.action) }, "ran dashboard actions");
}
