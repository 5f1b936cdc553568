import type { ProbotOctokit } from "probot";
import { GitHubWriteError } from "../../core/errors.js";
import { DASHBOARD_MARKER } from "../../core/render/render-dashboard.js";
import type { AppDeps, RepoTarget } from "../app-deps.js";
import { isNotFound } from "../request-errors.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { findIssueByMarker } from "../writers/upsert-tracking-issue.js";

/** The repoState key holding the dashboard issue number. */
export const DASHBOARD_ISSUE_KEY = "dashboard-issue";

export type DashboardWrite = {
  readonly action: "created" | "updated" | "unchanged" | "dry-run";
  readonly number?: number;
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
      if (!isNotFound(error)) throw error;
    }
  }
  const found = await findIssueByMarker({ octokit, owner, repo, marker: DASHBOARD_MARKER });
  return found ? { ...found, open: true } : undefined;
}

/**
 * Keeps exactly one dashboard issue per repository: found by the number kept in the store, else by
 * its hidden marker, else created; updated only when its text changed (and reopened if someone
 * closed it). Serialized per repository. Pinning is left to people: GitHub offers it only through
 * GraphQL, which Backflow does not otherwise use.
 */
export async function upsertDashboard(
  input: RepoTarget & {
    title: string;
    body: string;
  },
): Promise<DashboardWrite> {
  const { octokit, deps, owner, repo, title, body, log } = input;
  const repoKey = `${owner}/${repo}`.toLowerCase();
  if (deps.dryRun) {
    log.info({ payload: { owner, repo, title, body } }, "dry run: would write the dashboard");
    return { action: "dry-run" };
  }
  const outcome = await withLease(
    { store: deps.store, name: `dashboard:${repoKey}`, owner: leaseOwner("dashboard"), clock: deps.clock },
    async (): Promise<DashboardWrite> => {
      const existing = await findDashboard({ octokit, deps, owner, repo, repoKey });
      let result: DashboardWrite;
      if (!existing) {
        const { data } = await octokit.rest.issues.create({ owner, repo, title, body });
        result = { action: "created", number: data.number };
      } else if (existing.title === title && existing.body === body && existing.open) {
        result = { action: "unchanged", number: existing.number };
      } else {
        await octokit.rest.issues.update({
          owner,
          repo,
          issue_number: existing.number,
          title,
          body,
          ...(existing.open ? {} : { state: "open" as const }),
        });
        result = { action: "updated", number: existing.number };
      }
      await deps.store.repoState.put({
        repo: repoKey,
        key: DASHBOARD_ISSUE_KEY,
        value: result.number,
        now: deps.clock(),
      });
      return result;
    },
  );
  if (!outcome.acquired)
    throw new GitHubWriteError(
      `Another run has been writing the dashboard of ${repoKey} for too long; it will be retried.`,
    );
  log.info({ repo: repoKey, issue: outcome.value.number, action: outcome.value.action }, "dashboard written");
  return outcome.value;
}
