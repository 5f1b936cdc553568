import { GitHubWriteError } from "../../core/errors.js";
import {
  type AutoMergeDecision,
  decideAutoMerge,
  decideBeforeImpact,
} from "../../core/expectations/decide-auto-merge.js";
import { escapeMarkdown } from "../../core/render/escape-markdown.js";
import type { RepoTarget } from "../app-deps.js";
import { runImpactCheck } from "../impact/run-impact-check.js";
import { requestStatus } from "../request-errors.js";
import { postComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";
import { type MergeMethod, mergePullRequest } from "../writers/merge-pull-request.js";
import type { AutoMergeRevertPayload } from "./auto-merge-revert-job.js";

export type AutoMergeOutcome =
  | { readonly action: "merged" }
  | Exclude<AutoMergeDecision, { action: "merge" }>;

/** The repoState key recording that a revert's auto-merge was settled (so a retry never comments twice). */
export const autoMergeKey = (revertPr: number) => `auto-merge:${revertPr}`;

/** The first merge method the repository allows (GitHub omits the flags to tokens that cannot see settings). */
function mergeMethodOf(repository: {
  allow_squash_merge?: boolean;
  allow_merge_commit?: boolean;
  allow_rebase_merge?: boolean;
}): MergeMethod {
  if (repository.allow_squash_merge !== false) return "squash";
  if (repository.allow_merge_commit !== false) return "merge";
  return "rebase";
}

/**
 * Under `rollback: auto`: merges the revert pull request Backflow opened once its impact check is green
 * and GitHub says it merges cleanly, with the head pinned to the commit Backflow wrote. Otherwise the
 * revert is left for review with a comment saying why. Throws (so the job retries) while GitHub is
 * still computing mergeability, unless this is the last attempt. Every write goes through the writer
 * layer, so a dry run runs the impact check and logs the check run, merge and comments it would
 * send, and records nothing as settled.
 */
export async function autoMergeRevert(
  input: RepoTarget & { payload: AutoMergeRevertPayload; lastAttempt: boolean },
): Promise<AutoMergeOutcome> {
  const { octokit, deps, owner, repo, repoKey, payload, log } = input;
  const settled = await deps.store.repoState.get<AutoMergeOutcome>({
    repo: repoKey,
    key: autoMergeKey(payload.revertPr),
  });
  if (settled) return settled;
  const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: payload.revertPr });
  const facts = {
    state: pr.state === "closed" ? "closed" : "open",
    merged: pr.merged,
    headSha: pr.head.sha,
    writtenSha: payload.writtenSha,
    mergeable: pr.mergeable,
    mergeableState: pr.mergeable_state,
    lastAttempt: input.lastAttempt,
  } as const;
  const impact = !decideBeforeImpact(facts)
    ? await runImpactCheck({
        octokit,
        deps,
        log,
        owner,
        repo,
        repoKey,
        pr: pr.number,
        baseSha: pr.base.sha,
        headSha: pr.head.sha,
        prBody: pr.body,
      })
    : undefined;
  const decision = decideAutoMerge({ ...facts, ...(impact ? { impact } : {}) });
  log.info({ repo: repoKey, pr: pr.number, decision }, "auto-merge decision for revert");
  if (decision.action === "wait") {
    throw new GitHubWriteError(`Revert #${pr.number} is not merged yet: ${decision.reason}; retrying.`);
  }
  const outcome = decision.action === "merge" ? await merge(input, pr.base.ref) : decision;
  if (outcome === "dry-run") return { action: "done", reason: "dry run: nothing was merged" };
  // Comments a dry run only logged settle nothing: a real run acts again.
  if (outcome.action !== "done" && !(await announce(input, outcome))) return outcome;
  await deps.store.repoState.put({
    repo: repoKey,
    key: autoMergeKey(payload.revertPr),
    value: outcome,
    now: deps.clock(),
  });
  return outcome;
}

async function merge(
  input: RepoTarget & { payload: AutoMergeRevertPayload },
  base: string,
): Promise<AutoMergeOutcome | "dry-run"> {
  const { owner, repo, payload } = input;
  const writer = writerFor(input);
  const { data: repository } = await writer.read((o) => o.rest.repos.get({ owner, repo }));
  try {
    const merged = await mergePullRequest(writer, {
      pullNumber: payload.revertPr,
      sha: payload.writtenSha,
      commitTitle: `Revert #${payload.revertedPr} (rollback: auto) (#${payload.revertPr})`,
      commitMessage: payload.reason,
      mergeMethod: mergeMethodOf(repository),
    });
    return merged === "merged" ? { action: "merged" } : "dry-run";
  } catch (error) {
    // 405: branch protection or settings refuse it; 409: the head moved; 422: not mergeable.
    const status = requestStatus(error);
    if (status !== 405 && status !== 409 && status !== 422 && status !== 403) throw error;
    const message = escapeMarkdown(error instanceof Error ? error.message : String(error));
    return { action: "leave", reason: `GitHub refused to merge it into \`${base}\`: ${message}` };
  }
}

/** Says what became of the revert on both pull requests; false when a dry run only logged it. */
async function announce(
  input: RepoTarget & { payload: AutoMergeRevertPayload },
  outcome: Exclude<AutoMergeOutcome, { action: "done" }>,
): Promise<boolean> {
  const { payload } = input;
  const writer = writerFor(input);
  const comment = (issueNumber: number, body: string) => postComment(writer, { issueNumber, body });
  if (outcome.action === "merged") {
    await comment(
      payload.revertedPr,
      `↩️ Rolled back automatically: merged #${payload.revertPr} (\`rollback: auto\`), because ${escapeMarkdown(payload.reason)}.`,
    );
    return !writer.dryRun;
  }
  const why = outcome.reason;
  await comment(
    payload.revertPr,
    `\`rollback: auto\` is set, but Backflow did not merge this revert: ${why}. Review it and merge it yourself if the rollback is still wanted.`,
  );
  await comment(
    payload.revertedPr,
    `The revert #${payload.revertPr} was not merged automatically: ${why}. It is waiting for review.`,
  );
  return !writer.dryRun;
}
