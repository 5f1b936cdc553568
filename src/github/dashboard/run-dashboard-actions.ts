import type { DashboardAction } from "../../core/render/render-dashboard.js";
import type { RepoTarget } from "../app-deps.js";
import { proposeFromDashboard } from "./propose-from-dashboard.js";
import { enqueueDashboardRefresh } from "./refresh-dashboard-job.js";
import { retriageFinding } from "./retriage-finding.js";

/** Runs the ticked dashboard actions in order, each audited; the dashboard is then refreshed. */
export async function runDashboardActions(
  input: RepoTarget & {
    actor: string;
    issueNumber: number;
    actions: readonly DashboardAction[];
  },
): Promise<void> {
  const { deps, owner, repo } = input;
  const repoKey = `${owner}/${repo}`.toLowerCase();
  for (const action of input.actions) {
    let detail: Record<string, unknown> = { ...action };
    if (action.action === "rerun-triage") {
      const result = await retriageFinding({ ...input, fingerprint: action.fingerprint });
      detail = { ...detail, result: result ? `${result.decision}:${result.action}` : "no stored signal" };
    } else if (action.action === "propose") {
      const result = await proposeFromDashboard({
        ...input,
        fingerprint: action.fingerprint,
        dashboardIssue: input.issueNumber,
      });
      detail = { ...detail, result };
    }
    await deps.store.audit.record({
      at: deps.clock(),
      actor: input.actor,
      action: `dashboard.${action.action}`,
      repo: repoKey,
      target: `#${input.issueNumber}`,
      detail,
    });
  }
  await enqueueDashboardRefresh({ store: deps.store, repo: repoKey, now: deps.clock() });
}
