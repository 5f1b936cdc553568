import type { FileEdit } from "../../core/proposals/file-edit.js";
import { isNotFound } from "../request-errors.js";
import type { GitHubWriter } from "../writers/github-writer.js";
import type { DefaultBranchSnapshot } from "./load-default-branch.js";

/** The trailer every Backflow proposal commit carries; a commit without it was made by someone else. */
export const PROPOSAL_TRAILER = "Backflow-Proposal:";

export type BranchWrite =
  | { readonly action: "created" | "updated"; readonly commitSha: string }
  | { readonly action: "unchanged"; readonly commitSha: string }
  | { readonly action: "human-owned"; readonly commits: readonly string[] }
  | { readonly action: "dry-run"; readonly commitSha?: undefined };

async function branchHead(writer: GitHubWriter, branch: string) {
  const { owner, repo } = writer;
  try {
    const { data } = await writer.read((o) => o.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }));
    return data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Commits on the branch (since it left the default branch) that Backflow did not make. */
async function foreignCommits(input: {
  writer: GitHubWriter;
  base: string;
  head: string;
  botLogin?: string;
}) {
  const { owner, repo } = input.writer;
  const { data } = await input.writer.read((o) =>
    o.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${input.base}...${input.head}` }),
  );
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
 * In dry run the branch is read and the commit that would be made is logged.
 */
export async function writeProposalBranch(input: {
  writer: GitHubWriter;
  branch: string;
  base: DefaultBranchSnapshot;
  edits: readonly FileEdit[];
  message: string;
  botLogin?: string;
}): Promise<BranchWrite> {
  const { writer, branch, base } = input;
  const { owner, repo } = writer;
  const head = await branchHead(writer, branch);
  let headTree: string | undefined;
  if (head) {
    const foreign = await foreignCommits({ writer, base: base.sha, head, botLogin: input.botLogin });
    if (foreign.length > 0) return { action: "human-owned", commits: foreign };
    headTree = (await writer.read((o) => o.rest.git.getCommit({ owner, repo, commit_sha: head }))).data.tree
      .sha;
  }
  const treePayload = {
    base_tree: base.treeSha,
    tree: input.edits.map((e) => ({
      path: e.path,
      mode: "100644" as const,
      type: "blob" as const,
      content: e.after,
    })),
  };
  const tree = await writer.send(
    { kind: "branch", verb: `write a tree for ${branch}`, payload: treePayload },
    (o, p) => o.rest.git.createTree(p),
  );
  if (!tree) {
    writer.record("branch", "dry-run", { branch });
    return { action: "dry-run" };
  }
  if (head && tree.data.sha === headTree) {
    writer.record("branch", "unchanged", { branch });
    return { action: "unchanged", commitSha: head };
  }
  const commitPayload = { message: input.message, tree: tree.data.sha, parents: [base.sha] };
  const commit = await writer.send(
    { kind: "branch", verb: `commit to ${branch}`, payload: commitPayload },
    (o, p) => o.rest.git.createCommit(p),
  );
  if (!commit) return { action: "dry-run" };
  const sha = commit.data.sha;
  if (head)
    await writer.send(
      { kind: "branch", verb: `move ${branch}`, payload: { ref: `heads/${branch}`, sha, force: true } },
      (o, p) => o.rest.git.updateRef(p),
    );
  else
    await writer.send(
      { kind: "branch", verb: `create ${branch}`, payload: { ref: `refs/heads/${branch}`, sha } },
      (o, p) => o.rest.git.createRef(p),
    );
  const action = head ? "updated" : "created";
  writer.record("branch", action, { branch, commitSha: sha });
  return { action, commitSha: sha };
}
