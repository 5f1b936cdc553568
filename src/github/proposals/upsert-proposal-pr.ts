import type { ProbotOctokit } from "probot";

export type PrWrite = { readonly action: "created" | "updated" | "unchanged"; readonly number: number };

/** The open pull request from `branch`, if any. */
export async function findBranchPr(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  branch: string;
}) {
  const { data } = await input.octokit.rest.pulls.list({
    owner: input.owner,
    repo: input.repo,
    head: `${input.owner}:${input.branch}`,
    state: "open",
    per_page: 1,
  });
  return data[0];
}

/**
 * One draft PR per proposal branch: opened (draft, labelled) when none is open, its title and body
 * updated when they changed, left alone otherwise.
 */
export async function upsertProposalPr(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  branch: string;
  baseBranch: string;
  title: string;
  body: string;
  labels: readonly string[];
}): Promise<PrWrite> {
  const { octokit, owner, repo } = input;
  const existing = await findBranchPr(input);
  if (existing) {
    if (existing.title === input.title && (existing.body ?? "") === input.body)
      return { action: "unchanged", number: existing.number };
    await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: existing.number,
      title: input.title,
      body: input.body,
    });
    return { action: "updated", number: existing.number };
  }
  const { data: pr } = await octokit.rest.pulls.create({
    owner,
    repo,
    head: input.branch,
    base: input.baseBranch,
    title: input.title,
    body: input.body,
    draft: true,
  });
  if (input.labels.length > 0)
    await octokit.rest.issues.addLabels({ owner, repo, issue_number: pr.number, labels: [...input.labels] });
  return { action: "created", number: pr.number };
}
