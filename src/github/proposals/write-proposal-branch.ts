import type { ProbotOctokit } from "probot";
import type { FileEdit } from "../../core/proposals/file-edit.js";
import { isNotFound } from "../request-errors.js";
import type { DefaultBranchSnapshot } from "./load-default-branch.js";

/** The trailer every Backflow proposal commit carries; a commit without it was made by someone else. */
export const PROPOSAL_TRAILER = "Backflow-Proposal:";

export type BranchWrite =
  | { readonly action: "created" | "updated"; readonly commitSha: string }
  | { readonly action: "unchanged"; readonly commitSha: string }
  | { readonly action: "human-owned"; readonly commits: readonly string[] };

async function branchHead(octokit: ProbotOctokit, owner: string, repo: string, branch: string) {
  try {
    const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Commits on the branch (since it left the default branch) that Backflow did not make. */
async function foreignCommits(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  base: string;
  head: string;
  botLogin?: string;
}) {
  const { data } = await input.octokit.rest.repos.compareCommitsWithBasehead({
    owner: input.owner,
    repo: input.repo,
    basehead: `${input.base}...${input.head}`,
  });
  // Ours: made with the trailer and committed by the app (an amend by a person keeps the author and
  // the message but changes the committer). Without the app's login, only a bot's commit counts.
  const ours = (c: (typeof data.commits)[number]) =>
    c.commit.message.includes(PROPOSAL_TRAILER) &&
    (input.botLogin === undefined ? c.committer?.type === "Bot" : c.committer?.login === input.botLogin);
  return data.commits.filter((c) => !ours(c)).map((c) => c.sha);
}

/**
 * Puts `edits` on Backflow's own branch through the Git data API (tree on the default branch's head →
 * commit → ref). Re-running is a no-op when the branch already has that tree; the branch is
 * force-updated only while every commit on it is Backflow's — if a person pushed, nothing is written.
 */
export async function writeProposalBranch(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  branch: string;
  base: DefaultBranchSnapshot;
  edits: readonly FileEdit[];
  message: string;
  botLogin?: string;
}): Promise<BranchWrite> {
  const { octokit, owner, repo, branch, base } = input;
  const head = await branchHead(octokit, owner, repo, branch);
  let headTree: string | undefined;
  if (head) {
    const foreign = await foreignCommits({
      octokit,
      owner,
      repo,
      base: base.sha,
      head,
      botLogin: input.botLogin,
    });
    if (foreign.length > 0) return { action: "human-owned", commits: foreign };
    headTree = (await octokit.rest.git.getCommit({ owner, repo, commit_sha: head })).data.tree.sha;
  }
  const { data: tree } = await octokit.rest.git.createTree({
    owner,
    repo,
    base_tree: base.treeSha,
    tree: input.edits.map((e) => ({
      path: e.path,
      mode: "100644" as const,
      type: "blob" as const,
      content: e.after,
    })),
  });
  if (head && tree.sha === headTree) return { action: "unchanged", commitSha: head };
  const { data: commit } = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: input.message,
    tree: tree.sha,
    parents: [base.sha],
  });
  if (head)
    await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.sha, force: true });
  else await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: commit.sha });
  return { action: head ? "updated" : "created", commitSha: commit.sha };
}
