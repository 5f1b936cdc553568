import type { ProbotOctokit } from "probot";
import type { SuspectCommit } from "../../core/render/render-drift-issue.js";
import type { ApiCounter } from "../repo-context/api-counter.js";

export type RecentCommitLimits = {
  /** Distinct suspect files looked up (one request each). */
  readonly maxFiles: number;
  /** Commits kept per file, newest first. */
  readonly perFile: number;
  /** Commits whose pull request is looked up (one request each). */
  readonly maxPullLookups: number;
};

export const DEFAULT_COMMIT_LIMITS: RecentCommitLimits = { maxFiles: 5, perFile: 3, maxPullLookups: 5 };

/**
 * The commits that touched each suspect file since `since`, newest first, with the pull request
 * that merged each (number, merge time, author) when GitHub knows it. Bounded: at most `maxFiles + maxPullLookups` requests.
 */
export async function listRecentCommits(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  files: readonly string[];
  since: Date;
  api: ApiCounter;
  limits?: RecentCommitLimits;
}): Promise<Map<string, SuspectCommit[]>> {
  const { octokit, owner, repo, api } = input;
  const limits = input.limits ?? DEFAULT_COMMIT_LIMITS;
  const files = [...new Set(input.files)].slice(0, limits.maxFiles);
  const byFile = new Map<string, SuspectCommit[]>();
  for (const path of files) {
    api.calls++;
    const { data } = await octokit.rest.repos.listCommits({
      owner,
      repo,
      path,
      since: input.since.toISOString(),
      per_page: limits.perFile,
    });
    byFile.set(
      path,
      data.map((c) => ({
        sha: c.sha,
        date: c.commit.author?.date ?? c.commit.committer?.date ?? "",
        ...(c.author?.login || c.commit.author?.name
          ? { author: c.author?.login ?? c.commit.author?.name ?? "" }
          : {}),
        message: c.commit.message,
      })),
    );
  }
  return addPullRequests({ ...input, byFile, budget: limits.maxPullLookups });
}

async function addPullRequests(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  api: ApiCounter;
  byFile: Map<string, SuspectCommit[]>;
  budget: number;
}): Promise<Map<string, SuspectCommit[]>> {
  const { octokit, owner, repo, api } = input;
  const pulls = new Map<string, { number: number; mergedAt?: string; author?: string } | undefined>();
  const shas = [...new Set([...input.byFile.values()].flat().map((c) => c.sha))].slice(0, input.budget);
  for (const sha of shas) {
    api.calls++;
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner,
      repo,
      commit_sha: sha,
      // A commit can sit in several pull requests (one merged it, others still contain it).
      per_page: 5,
    });
    // The pull request that merged the commit; an open one that merely contains it is not a suspect.
    const pull = data.find((p) => p.merged_at) ?? data[0];
    pulls.set(
      sha,
      pull && {
        number: pull.number,
        ...(pull.merged_at ? { mergedAt: pull.merged_at } : {}),
        ...(pull.user?.login ? { author: pull.user.login } : {}),
      },
    );
  }
  return new Map(
    [...input.byFile].map(([file, commits]) => [
      file,
      commits.map((c) => {
        const pull = pulls.get(c.sha);
        if (pull === undefined) return c;
        return {
          ...c,
          pr: pull.number,
          ...(pull.mergedAt ? { prMergedAt: pull.mergedAt } : {}),
          ...(pull.author ? { prAuthor: pull.author } : {}),
        };
      }),
    ]),
  );
}
