import { GitHubWriteError } from "../../core/errors.js";
import { DASHBOARD_MARKER } from "../../core/render/render-dashboard.js";
import type { AppDeps, RepoTarget } from "../app-deps.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { ensureIssue } from "../writers/ensure-issue.js";
import { writerFor } from "../writers/github-writer.js";
import { type DashboardPinState, pinDashboard } from "./pin-dashboard.js";

/** The repoState key holding the dashboard issue number. */
export const DASHBOARD_ISSUE_KEY = "dashboard-issue";

export type DashboardWrite = {
  readonly action: "created" | "updated" | "unchanged" | "dry-run";
  readonly number?: number;
  /** Set when this write created the issue and tried to pin it (absent in dry run). */
  readonly pin?: DashboardPinState;
};

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
  const { deps, title, body, repoKey } = input;
  const known = await deps.store.repoState.get<number>({ repo: repoKey, key: DASHBOARD_ISSUE_KEY });
  const written = await ensureIssue(writerFor(input), {
    marker: DASHBOARD_MARKER,
    knownNumber: typeof known === "number" ? known : null,
    desired: { title, body },
    // Someone closed the dashboard: it is reopened, since it is the repository's one view of findings.
    onClosed: () => "reopen",
  });
  if (written.action === "dry-run") return { action: "dry-run" };
  if (written.number === undefined || written.action === "left-closed" || written.action === "closed")
    throw new GitHubWriteError(`the dashboard of ${repoKey} was not written (${written.action})`);
  // Stored before pinning, so a pin that throws cannot make the next run create a second dashboard.
  await putDashboardIssue(deps, repoKey, written.number);
  if (written.action === "created") {
    const pin = await pinDashboard({
      ...input,
      issue: { number: written.number, nodeId: written.nodeId ?? "" },
    });
    return { action: "created", number: written.number, ...(pin ? { pin } : {}) };
  }
  return { action: written.action === "unchanged" ? "unchanged" : "updated", number: written.number };
}

/**
 * Keeps exactly one dashboard issue per repository: found by the number kept in the store, else by
 * its hidden marker, else created; updated only when its text changed (and reopened if someone
 * closed it). Serialized per repository. In dry run it reads and logs what it would write. A dashboard it creates (also one recreated after a deletion)
 * is pinned once; one people unpinned later stays unpinned, since updates never pin.
 */
export async function upsertDashboard(
  input: RepoTarget & {
    title: string;
    body: string;
  },
): Promise<DashboardWrite> {
  const { deps, log, repoKey } = input;
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
