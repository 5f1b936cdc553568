import type { GitHubWriter } from "./github-writer.js";

/**
 * Opens a pull request from `head` into `base` (ready for review unless `draft`). Its number, or
 * undefined in dry run, where the exact payload is logged instead. Callers that must not open a
 * second one look for the branch's open pull request first (findBranchPr).
 */
export async function createPullRequest(
  writer: GitHubWriter,
  input: {
    readonly head: string;
    readonly base: string;
    readonly title: string;
    readonly body: string;
    readonly draft?: boolean;
  },
): Promise<number | undefined> {
  const payload = {
    head: input.head,
    base: input.base,
    title: input.title,
    body: input.body,
    draft: input.draft ?? false,
  };
  const created = await writer.send({ kind: "pull-request", verb: "open a pull request", payload }, (o, p) =>
    o.rest.pulls.create(p),
  );
  writer.record("pull-request", created ? "created" : "dry-run", { pr: created?.data.number });
  return created?.data.number;
}

/**
 * Asks users and teams (slugs, without the organisation) to review pull request `pullNumber`.
 * Asking for nobody sends nothing. GitHub answers 422 for someone without access: the caller decides.
 */
export async function requestReviewers(
  writer: GitHubWriter,
  input: {
    readonly pullNumber: number;
    readonly reviewers: readonly string[];
    readonly teamReviewers: readonly string[];
  },
): Promise<"updated" | "unchanged" | "dry-run"> {
  if (input.reviewers.length + input.teamReviewers.length === 0) return "unchanged";
  const payload = {
    pull_number: input.pullNumber,
    reviewers: [...input.reviewers],
    team_reviewers: [...input.teamReviewers],
  };
  const verb = `request reviewers on PR #${input.pullNumber}`;
  const sent = await writer.send({ kind: "pull-request", verb, payload }, (o, p) =>
    o.rest.pulls.requestReviewers(p),
  );
  const action = sent ? "updated" : "dry-run";
  writer.record("pull-request", action, { pr: input.pullNumber, reviewers: payload.reviewers.length });
  return action;
}
