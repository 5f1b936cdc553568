import { createHash } from "node:crypto";
import { isNotFound } from "../request-errors.js";
import type { GitHubWriter, WriteAction } from "./github-writer.js";

/** A comment Backflow wrote before, as a store remembers it: its id and the hash of its body. */
export type KnownComment = { readonly id: number; readonly hash?: string };

export type EnsureCommentResult = {
  readonly action: WriteAction;
  /** The comment written or found; absent for a dry-run creation. */
  readonly id?: number;
  /** The hash of the body, for the caller to remember with the id. */
  readonly hash: string;
};

/** The hash a caller keeps to skip rewriting a comment whose body did not change. */
export function commentHash(body: string): string {
  return createHash("sha256").update(body).digest("hex");
}

async function findByMarker(writer: GitHubWriter, issueNumber: number, marker: string) {
  const { owner, repo } = writer;
  const pages = writer.octokit.paginate.iterator(writer.octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const next = pages[Symbol.asyncIterator]();
  for (;;) {
    const page = await writer.read(() => next.next());
    if (page.done) return undefined;
    const hit = page.value.data.find((c) => c.body?.includes(marker));
    if (hit) return { id: hit.id, body: hit.body ?? "" };
  }
}

async function update(writer: GitHubWriter, id: number, body: string, hash: string) {
  const sent = await writer.send(
    { kind: "comment", verb: `update comment ${id}`, payload: { comment_id: id, body } },
    (o, p) => o.rest.issues.updateComment(p),
  );
  const action = sent ? "updated" : "dry-run";
  writer.record("comment", action, { comment: id });
  return { action, id, hash } as const;
}

/**
 * Keeps one comment of Backflow's on an issue or pull request saying `body` (Renovate's
 * `ensureComment`): the `known` comment when its hash still matches (no request at all) or it can
 * be edited, else the one carrying `marker` (every page searched), else a new one. A body that did
 * not change is not sent again.
 */
export async function ensureComment(
  writer: GitHubWriter,
  input: {
    readonly issueNumber: number;
    readonly body: string;
    /** A hidden HTML comment in the body that identifies it when the store lost `known`. */
    readonly marker?: string;
    readonly known?: KnownComment | null;
  },
): Promise<EnsureCommentResult> {
  const { body, known, marker } = input;
  const hash = commentHash(body);
  if (known?.hash === hash) {
    writer.record("comment", "unchanged", { comment: known.id });
    return { action: "unchanged", id: known.id, hash };
  }
  if (known) {
    try {
      return await update(writer, known.id, body, hash);
    } catch (error) {
      // Someone deleted it: find another by marker, or post anew.
      if (!isNotFound(error)) throw error;
    }
  }
  const found = marker ? await findByMarker(writer, input.issueNumber, marker) : undefined;
  if (found && found.body === body) {
    writer.record("comment", "unchanged", { comment: found.id });
    return { action: "unchanged", id: found.id, hash };
  }
  if (found) return update(writer, found.id, body, hash);
  const id = await postComment(writer, { issueNumber: input.issueNumber, body });
  return { action: id === undefined ? "dry-run" : "created", ...(id === undefined ? {} : { id }), hash };
}

/** Posts a new comment: an event worth its own comment, unlike ensureComment's one kept-current reply. */
export async function postComment(
  writer: GitHubWriter,
  input: { readonly issueNumber: number; readonly body: string },
): Promise<number | undefined> {
  const payload = { issue_number: input.issueNumber, body: input.body };
  const sent = await writer.send(
    { kind: "comment", verb: `comment on #${input.issueNumber}`, payload },
    (o, p) => o.rest.issues.createComment(p),
  );
  writer.record("comment", sent ? "created" : "dry-run", { issue: input.issueNumber });
  return sent?.data.id;
}

/** Adds a reaction to an issue comment (GitHub keeps one per user and kind, so retries are harmless). */
export async function addReaction(
  writer: GitHubWriter,
  input: { readonly commentId: number; readonly content: "eyes" | "rocket" | "confused" },
): Promise<void> {
  const payload = { comment_id: input.commentId, content: input.content };
  const sent = await writer.send({ kind: "reaction", verb: "react to comment", payload }, (o, p) =>
    o.rest.reactions.createForIssueComment(p),
  );
  writer.record("reaction", sent ? "created" : "dry-run", { comment: input.commentId });
}
