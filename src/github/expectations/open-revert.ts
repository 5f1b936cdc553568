import { codeownersOf, findCodeowners } from "../../core/codeowners/parse-codeowners.js";
import type { FileEdit } from "../../core/proposals/file-edit.js";
import { proposeRevert } from "../../core/proposals/propose-revert.js";
import { escapeMarkdown } from "../../core/render/escape-markdown.js";
import type { RepoTarget } from "../app-deps.js";
import { type DefaultBranchSnapshot, loadDefaultBranch } from "../proposals/load-default-branch.js";
import { proposalBranch } from "../proposals/proposal-record.js";
import { PROPOSAL_TRAILER, writeProposalBranch } from "../proposals/write-proposal-branch.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { createPullRequest, requestReviewers } from "../writers/create-pull-request.js";
import { findBranchPr } from "../writers/ensure-proposal-pr.js";
import { writerFor } from "../writers/github-writer.js";
import { enqueueAutoMergeRevert } from "./auto-merge-revert-job.js";

/** What opening a revert gave: a pull request (maybe merged), or why none was opened. */
export type RevertOutcome =
  | { readonly number: number; readonly merged: boolean }
  /** `retryable`: the same revert is being written by another run; ask again shortly. */
  | { readonly problem: string; readonly retryable?: boolean };

export type OpenRevertInput = RepoTarget & {
  /** The merged pull request to undo, and the commit its merge made. */
  readonly pr: number;
  readonly mergeSha: string;
  /** The author of that pull request, asked to review the revert with the code owners. */
  readonly author?: string;
  /** `rollback: auto`: queue a job that merges the revert once it is clean and its impact check is green. */
  readonly autoMerge: boolean;
  readonly reason: string;
};

export type OpenRevert = (input: OpenRevertInput) => Promise<RevertOutcome>;

function reviewersOf(owners: readonly string[], author: string | undefined) {
  const handles = [...new Set([...(author ? [`@${author}`] : []), ...owners])];
  return {
    reviewers: handles.filter((h) => !h.includes("/")).map((h) => h.slice(1)),
    team_reviewers: handles.filter((h) => h.includes("/")).map((h) => h.slice(h.indexOf("/") + 1)),
  };
}

/** What a revert pull request will carry: the branch, title, body, edits and reviewers, or why there is none. */
type RevertPlan = {
  readonly base: DefaultBranchSnapshot;
  readonly commitSha: string;
  readonly branch: string;
  readonly title: string;
  readonly body: string;
  readonly message: string;
  readonly edits: readonly FileEdit[];
  readonly wanted: ReturnType<typeof reviewersOf>;
};

async function planRevert(input: OpenRevertInput): Promise<RevertPlan | { problem: string }> {
  const { octokit, deps, owner, repo, pr, mergeSha } = input;
  const base = await loadDefaultBranch({ octokit, store: deps.store, owner, repo });
  const { data: commit } = await octokit.rest.repos.getCommit({ owner, repo, ref: mergeSha });
  const proposal = proposeRevert({
    commitSha: commit.sha,
    commitTitle: commit.commit.message,
    files: (commit.files ?? []).map((f) => ({ filename: f.filename, patch: f.patch, status: f.status })),
    current: base.files,
  });
  if (proposal.edits.length === 0) return { problem: proposal.rationale };
  const title = `Revert #${pr}: ${commit.commit.message.split("\n")[0] ?? ""}`.slice(0, 200);
  const body = [
    `<!-- backflow:revert ${pr} ${commit.sha} -->`,
    `Reverts #${pr} (merge commit ${commit.sha.slice(0, 8)}).`,
    "",
    `Why: ${escapeMarkdown(input.reason)}`,
    "",
    `Files: ${proposal.edits.map((e) => `\`${e.path}\``).join(", ")}`,
  ].join("\n");
  const rules = findCodeowners(base.files) ?? [];
  return {
    base,
    commitSha: commit.sha,
    branch: proposalBranch({ kind: "revert", fingerprint: "", commitSha: commit.sha }),
    title,
    body,
    message: `${title}\n\n${PROPOSAL_TRAILER} pr-${pr} revert`,
    edits: proposal.edits,
    wanted: reviewersOf(
      proposal.edits.flatMap((e) => codeownersOf(rules, e.path)),
      input.author,
    ),
  };
}

/** Writes the branch and opens (or finds) the pull request; the caller holds the branch's lease. */
async function writeRevert(input: OpenRevertInput, plan: RevertPlan): Promise<RevertOutcome> {
  const { deps, owner, repo, pr } = input;
  const { branch, wanted } = plan;
  const writer = writerFor(input);
  const written = await writeProposalBranch({
    writer,
    branch,
    base: plan.base,
    edits: plan.edits,
    message: plan.message,
  });
  if (written.action === "human-owned")
    return { problem: `someone pushed to \`${branch}\`; Backflow leaves that branch alone` };
  // A dry run (no commit written) goes on, so its log holds the pull request it would open too.
  const queueMerge = async (revertPr: number) => {
    if (!input.autoMerge || written.commitSha === undefined) return;
    const payload = {
      repo: `${owner}/${repo}`,
      revertPr,
      revertedPr: pr,
      writtenSha: written.commitSha,
      reason: input.reason,
    };
    await enqueueAutoMergeRevert({ store: deps.store, payload, now: deps.clock() });
  };
  const existing = await findBranchPr(writer, branch);
  if (existing) {
    await queueMerge(existing.number);
    return { number: existing.number, merged: false };
  }
  const created = await createPullRequest(writer, {
    head: branch,
    base: plan.base.branch,
    title: plan.title,
    body: plan.body,
  });
  if (created === undefined)
    return { problem: `dry run: Backflow would open a pull request reverting #${pr} from \`${branch}\`` };
  await requestReviewers(writer, {
    pullNumber: created,
    reviewers: wanted.reviewers,
    teamReviewers: wanted.team_reviewers,
  }).catch((error: unknown) => {
    // A reviewer without access is GitHub's 422; the revert stands without them.
    input.log.warn({ err: error, pr: created }, "could not request reviewers on the revert");
  });
  await queueMerge(created);
  return { number: created, merged: false };
}

/**
 * Opens a pull request that reverts a merged pull request's merge commit, on the deterministic
 * branch `backflow/revert/<sha8>`, ready for review, with the original author and the code owners of
 * the reverted files requested. Idempotent: the branch is rewritten only while it holds Backflow's
 * commits, and an open pull request from it is reused. A revert that no longer applies cleanly is
 * refused with the reason. Every write goes through the writer layer: a dry run logs the branch and
 * pull request it would write (and names the reviewers), and writes nothing.
 */
export const openRevert: OpenRevert = async (input) => {
  const { deps, owner, repo, pr } = input;
  const plan = await planRevert(input);
  if ("problem" in plan) return plan;
  const outcome = await withLease(
    {
      store: deps.store,
      name: `proposal:${input.repoKey}:${plan.branch}`,
      owner: leaseOwner("revert"),
      clock: deps.clock,
    },
    () => writeRevert(input, plan),
  );
  if (!outcome.acquired)
    return {
      problem: "another run is writing the same revert branch; try again in a minute",
      retryable: true,
    };
  // The reviewers are named here too: a dry run opens no pull request to ask them on.
  input.log.info(
    { repo: `${owner}/${repo}`, pr, outcome: outcome.value, ...plan.wanted },
    "revert pull request",
  );
  return outcome.value;
};
