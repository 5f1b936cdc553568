import type { Logger, ProbotOctokit } from "probot";
import type { AppDeps } from "../app-deps.js";
import { addReaction, ensureComment, type KnownComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";

export type Reaction = "eyes" | "rocket" | "confused";

type Target = { octokit: ProbotOctokit; deps: AppDeps; log: Logger; owner: string; repo: string };

/** Adds a reaction to an issue comment (GitHub keeps one per user and kind, so retries are harmless). */
export async function reactToComment(
  input: Target & { commentId: number; content: Reaction },
): Promise<void> {
  await addReaction(writerFor(input), { commentId: input.commentId, content: input.content });
}

/** The reply the store remembers for a comment; rows written before hashes were kept hold the id alone. */
function knownReply(value: unknown): KnownComment | null {
  if (typeof value === "number") return { id: value };
  if (typeof value !== "object" || value === null || !("id" in value) || typeof value.id !== "number")
    return null;
  return "hash" in value && typeof value.hash === "string"
    ? { id: value.id, hash: value.hash }
    : { id: value.id };
}

/**
 * Posts Backflow's reply to a comment, or edits the reply it posted before (its id and body hash are
 * kept in the store under the comment's id), so a redelivered comment never gets two replies and an
 * unchanged reply is not sent again.
 */
export async function upsertReply(
  input: Target & { repoKey: string; issueNumber: number; commentId: number; body: string; now: Date },
): Promise<number | undefined> {
  const { deps } = input;
  const key = `reply:${input.commentId}`;
  const known = knownReply(await deps.store.repoState.get({ repo: input.repoKey, key }));
  const written = await ensureComment(writerFor(input), {
    issueNumber: input.issueNumber,
    body: input.body,
    known,
  });
  if (written.id === undefined || written.action === "dry-run") return undefined;
  if (written.action !== "unchanged")
    await deps.store.repoState.put({
      repo: input.repoKey,
      key,
      value: { id: written.id, hash: written.hash },
      now: input.now,
    });
  return written.id;
}
