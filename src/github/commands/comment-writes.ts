import type { Logger, ProbotOctokit } from "probot";
import type { AppDeps } from "../app-deps.js";

export type Reaction = "eyes" | "rocket" | "confused";

type Target = { octokit: ProbotOctokit; deps: AppDeps; log: Logger; owner: string; repo: string };

/** Adds a reaction to an issue comment (GitHub keeps one per user and kind, so retries are harmless). */
export async function reactToComment(
  input: Target & { commentId: number; content: Reaction },
): Promise<void> {
  const { octokit, owner, repo, commentId, content } = input;
  const payload = { owner, repo, comment_id: commentId, content };
  if (input.deps.dryRun) {
    input.log.info({ payload }, "dry run: would react to comment");
    return;
  }
  await octokit.rest.reactions.createForIssueComment(payload);
}

/**
 * Posts Backflow's reply to a comment, or edits the reply it posted before (its id is kept in the
 * store under the comment's id), so a redelivered comment never gets two replies.
 */
export async function upsertReply(
  input: Target & { repoKey: string; issueNumber: number; commentId: number; body: string; now: Date },
): Promise<number | undefined> {
  const { octokit, owner, repo, deps, body } = input;
  if (deps.dryRun) {
    input.log.info(
      { payload: { owner, repo, issue_number: input.issueNumber, body } },
      "dry run: would reply",
    );
    return undefined;
  }
  const key = `reply:${input.commentId}`;
  const existing = await deps.store.repoState.get<number>({ repo: input.repoKey, key });
  if (typeof existing === "number") {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing, body });
    return existing;
  }
  const { data } = await octokit.rest.issues.createComment({
    owner,
    repo,
    issue_number: input.issueNumber,
    body,
  });
  await deps.store.repoState.put({ repo: input.repoKey, key, value: data.id, now: input.now });
  return data.id;
}
