import { rollbackAttributedMerge } from "../canary/rollback-attributed-merge.js";
import { openRevert } from "../expectations/open-revert.js";
import { type CommandContext, type CommandResult, done, failed } from "./command-context.js";

/**
 * `/backflow rollback` on a merged pull request: opens a pull request reverting its merge commit,
 * ready for review, with the author and the code owners of the reverted files requested. On a drift
 * issue: the same for the merged pull request its post-merge canary caught.
 */
export async function executeRollback(ctx: CommandContext): Promise<CommandResult> {
  if (!ctx.issue.isPullRequest) {
    // On a drift issue: the merge the post-merge canary caught.
    const result = await rollbackAttributedMerge({ ...ctx, issueNumber: ctx.issue.number });
    if (!result.ok) return failed(`No revert was opened: ${result.problem}.`);
    return done(
      `Opened #${result.revertPr} to revert #${result.pr}, which the post-merge canary caught regressing this; it is ready for review.`,
    );
  }
  const { data: pr } = await ctx.octokit.rest.pulls.get({
    owner: ctx.owner,
    repo: ctx.repo,
    pull_number: ctx.issue.number,
  });
  if (!pr.merged || !pr.merge_commit_sha)
    return failed("This pull request is not merged, so there is nothing to roll back.");
  const outcome = await openRevert({
    octokit: ctx.octokit,
    deps: ctx.deps,
    log: ctx.log,
    owner: ctx.owner,
    repo: ctx.repo,
    repoKey: ctx.repoKey,
    pr: pr.number,
    mergeSha: pr.merge_commit_sha,
    ...(pr.user?.login ? { author: pr.user.login } : {}),
    autoMerge: false,
    reason: `rollback requested by ${ctx.actor}`,
  });
  if ("problem" in outcome) return failed(`No revert was opened: ${outcome.problem}`);
  return done(`Opened #${outcome.number} to revert this pull request; it is ready for review.`);
}
