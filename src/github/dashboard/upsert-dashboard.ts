import type { ProbotOctokit } from "probot";
import { GitHubWriteError } from "../../core/errors.js";
import { DASHBOARD_MARKER } from "../../core/render/render-dashboard.js";
import type { AppDeps, RepoTarget } from "../app-deps.js";
import { requestStatus } from "../request-errors.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { findIssueByMarker } from "../writers/upsert-tracking-issue.js";
import { type DashboardPinState, pinDashboard } from "./pin-dashboard.js";

/** The repoState key holding the dashboard issue number. */
export const DASHBOARD_ISSUE_KEY = "dashboard-issue";

export type DashboardWrite = {
  readonly action: "created" | "updated" | "unchanged" | "dry-run";
  readonly number?: number;
  /** Set when this write created the issue and tried to pin it (absent in dry run). */
  readonly pin?: DashboardPinState;
};

type Existing = { number: number; title: string; body: string; open: boolean };

async function findDashboard(input: {
  octokit: ProbotOctokit;
  deps: AppDeps;
  owner: string;
  repo: string;
  repoKey: string;
}): Promise<Existing | undefined> {
  const { octokit, owner, repo } = input;
  const known = await input.deps.store.repoState.get<number>({
    repo: input.repoKey,
    key: DASHBOARD_ISSUE_KEY,
  });
  if (typeof known === "number") {
    try {
      const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: known });
      if (data.body?.includes(DASHBOARD_MARKER))
        return { number: data.number, title: data.title, body: data.body, open: data.state === "open" };
    } catch (error) {
      // 404: gone or hidden; 410: someone deleted the issue. Either way, look for another or recreate.
      const status = requestStatus(error);
      if (status !== 404 && status !== 410) throw error;
    }
  }
  const found = await findIssueByMarker({ octokit, owner, repo, marker: DASHBOARD_MARKER });
  return found ? { ...found, open: true } : undefined;
}

async function putDashboardIssue(deps: AppDeps, repoKey: string, issue: number): Promise<void> {
  await deps.store.repoState.put({
    repo: repoKey,
    key: DASHBOARD_ISSUE_KEY,
    value: issue,
    now: deps.clock(),
  });
}

/** Finds, then creates (and pins) or updates the dashboard; runs under the repository's lease. */
async function writeDashboard(
  input: RepoTarget & { title: string; body: string; repoKey: string },
): Promise<DashboardWrite> {
  const { octokit, deps, owner, repo, title, body, repoKey } = input;
  const existing = await findDashboard({ octokit, deps, owner, repo, repoKey });
  if (!existing) {
    const { data } = await octokit.rest.issues.create({ owner, repo, title, body });
    // Stored before pinning, so a pin that throws cannot make the next run create a second dashboard.
    await putDashboardIssue(deps, repoKey, data.number);
    const pin = await pinDashboard({ ...input, issue: { number: data.number, nodeId: data.node_id } });
    return { action: "created", number: data.number, ...(pin ? { pin } : {}) };
  }
  if (existing.title === title && existing.body === body && existing.open) {
    await putDashboardIssue(deps, repoKey, existing.number);
    return { action: "unchanged", number: existing.number };
  }
  await octokit.rest.issues.update({
    owner,
    repo,
    issue_number: existing.number,
    title,
    body,
    ...(existing.open ? {} : { state: "open" as const }),
  });
  await putDashboardIssue(deps, repoKey, existing.number);
  return { action: "updated", number: existing.number };
}

/**
 * Keeps exactly one dashboard issue per repository: found by the number kept in the store, else by
 * its hidden marker, else created; updated only when its text changed (and reopened if someone
 * closed it). Serialized per repository. A dashboard it creates (also one recreated after a deletion)
 * is pinned once; one people unpinned later stays unpinned, since updates never pin.
 */
export async function upsertDashboard(
  input: RepoTarget & {
    title: string;
    body: string;
  },
): Promise<DashboardWrite> {
  const { deps, owner, repo, title, body, log } = input;
  const { repoKey } = input;
  if (deps.dryRun) {
    log.info(
      { payload: { owner, repo, title, body } },
      "dry run: would write the dashboard (and pin it if it is created)",
    );
    return { action: "dry-run" };
  }
  const outcome = await withLease(
    { store: deps.store, name: `dashboard:${repoKey}`, owner: leaseOwner("dashboard"), clock: deps.clock },
    () => writeDashboard({ ...input, repoKey }),
  );
  if (!outcome.acquired)
    throw new GitHubWriteError(
      `Another run has been writing the dashboard of ${repoKey} for too long; it will be retried.`,
    );
  log.info({ repo: repoKey, issue: outcome.value.number, action: outcome.value.action }, "dashboard written");
  return outcome.value;
}
