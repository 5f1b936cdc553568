import { createPullRequest } from "./create-pull-request.js";
import type { GitHubWriter, WriteAction } from "./github-writer.js";

/** The open pull request from `branch` in the repository itself, if any. */
export async function findBranchPr(writer: GitHubWriter, branch: string) {
  const { owner, repo } = writer;
  const { data } = await writer.read((o) =>
    o.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, state: "open", per_page: 1 }),
  );
  return data[0];
}

export type EnsurePrResult = {
  readonly action: WriteAction;
  /** The pull request written or found; absent for a dry-run creation. */
  readonly number?: number;
};

/**
 * One open pull request per head branch: opened (draft unless told otherwise, labelled) when none
 * is open, its title and body updated when they changed, left alone otherwise. The branch must
 * exist; see writeProposalBranch.
 */
export async function ensureProposalPr(
  writer: GitHubWriter,
  input: {
    readonly branch: string;
    readonly baseBranch: string;
    readonly title: string;
    readonly body: string;
    readonly labels?: readonly string[];
    readonly draft?: boolean;
  },
): Promise<EnsurePrResult> {
  const existing = await findBranchPr(writer, input.branch);
  if (existing) {
    const number = existing.number;
    if (existing.title === input.title && (existing.body ?? "") === input.body) {
      writer.record("pull-request", "unchanged", { pr: number });
      return { action: "unchanged", number };
    }
    const payload = { pull_number: number, title: input.title, body: input.body };
    const sent = await writer.send({ kind: "pull-request", verb: `update PR #${number}`, payload }, (o, p) =>
      o.rest.pulls.update(p),
    );
    writer.record("pull-request", sent ? "updated" : "dry-run", { pr: number });
    return { action: sent ? "updated" : "dry-run", number };
  }
  const created = await createPullRequest(writer, {
    head: input.branch,
    base: input.baseBranch,
    title: input.title,
    body: input.body,
    draft: input.draft ?? true,
  });
  if (created === undefined) return { action: "dry-run" };
  const labels = [...(input.labels ?? [])];
  // GitHub creates labels that do not exist yet when adding them.
  if (labels.length > 0) {
    await writer.send(
      { kind: "label", verb: `label PR #${created}`, payload: { issue_number: created, labels } },
      (o, p) => o.rest.issues.addLabels(p),
    );
  }
  return { action: "created", number: created };
}
