import type { Contract } from "../../core/contracts/contract.js";
import { ConfigError } from "../../core/errors.js";
import { renderDashboard } from "../../core/render/render-dashboard.js";
import type { RepoTarget } from "../app-deps.js";
import { loadDefaultBranchContext } from "../drift/load-triage-context.js";
import { ensureReviewScheduled } from "../review/review-job.js";
import { collectDashboardData } from "./collect-dashboard-data.js";
import { type DashboardWrite, upsertDashboard } from "./upsert-dashboard.js";

/**
 * Rebuilds the feedback dashboard of one repository: reads the default branch (config and contracts,
 * through the lineage caches) and the store, renders, and writes the issue if its text changed. A
 * dashboard it had to create is pinned; if GitHub refused, the body is rewritten at once to say why.
 */
export async function refreshDashboard(input: RepoTarget): Promise<DashboardWrite> {
  const { octokit, deps, owner, repo } = input;
  let contracts: readonly Contract[] | undefined;
  let proposalLabel = "backflow:proposal";
  try {
    const context = await loadDefaultBranchContext(input);
    contracts = context.contracts;
    proposalLabel = context.config.labels.proposal;
    // The recurring review runs where the loop runs: the dashboard's refresh keeps one scheduled.
    const review = context.config.review;
    await ensureReviewScheduled({ store: deps.store, repo: `${owner}/${repo}`, review, now: deps.clock() });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    input.log.warn({ repo: `${owner}/${repo}` }, "config invalid; the dashboard leaves contracts out");
  }
  const now = deps.clock();
  const data = await collectDashboardData({
    octokit,
    store: deps.store,
    owner,
    repo,
    now,
    proposalLabel,
    contracts,
  });
  const { title, body } = renderDashboard(data, now);
  const write = await upsertDashboard({ ...input, title, body });
  // The body was rendered before the issue existed; once the pin's outcome is known, say so in it.
  const notPinned = write.pin && !write.pin.pinned ? write.pin.reason : undefined;
  if (write.action !== "created" || notPinned === data.notPinned) return write;
  const { notPinned: _stale, ...rest } = data;
  const corrected = renderDashboard(notPinned === undefined ? rest : { ...rest, notPinned }, now);
  await upsertDashboard({ ...input, ...corrected });
  return write;
}
