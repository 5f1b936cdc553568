import type { Context } from "probot";
import type { AppDeps } from "../app-deps.js";
import { loadDefaultBranchContext } from "../drift/load-triage-context.js";
import { onProposalMerged } from "../proposals/on-proposal-merged.js";
import { watchMergedExpectations } from "./watch-merged-expectations.js";

/** On a merged pull request with an `expects:` block: store its expectations and say they are watched. */
export function handlePullRequestClosed(deps: AppDeps) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { pull_request: pr } = context.payload;
    const { owner, repo } = context.repo();
    const fields = { repo: `${owner}/${repo}`, pr: pr.number };
    if (!pr.merged || !pr.merged_at || !pr.merge_commit_sha) {
      context.log.debug(fields, "ignoring pull request closed without merging");
      return;
    }
    await onProposalMerged({
      octokit: context.octokit,
      deps,
      log: context.log,
      owner,
      repo,
      pullRequest: pr,
    });
    if (pr.base.ref !== context.payload.repository.default_branch) {
      context.log.debug(fields, "ignoring pull request merged into another branch than the default");
      return;
    }
    await watchMergedExpectations({
      octokit: context.octokit,
      deps,
      log: context.log,
      owner,
      repo,
      pr: {
        number: pr.number,
        body: pr.body,
        mergedAt: pr.merged_at,
        mergeSha: pr.merge_commit_sha,
        ...(pr.user?.login ? { author: pr.user.login } : {}),
      },
      loadGraph: async () =>
        (await loadDefaultBranchContext({ octokit: context.octokit, deps, owner, repo })).graph,
    });
  };
}
