import type { GitHubWriter } from "./github-writer.js";

export type MergeMethod = "merge" | "squash" | "rebase";

/**
 * Merges pull request `pullNumber` only while its head is still `sha` (GitHub answers 409 when it
 * moved, 405 when protection or settings refuse, 422 when it does not merge cleanly: the caller
 * decides what each means). `dry-run` when the exact payload was logged instead.
 */
export async function mergePullRequest(
  writer: GitHubWriter,
  input: {
    readonly pullNumber: number;
    readonly sha: string;
    readonly commitTitle: string;
    readonly commitMessage: string;
    readonly mergeMethod: MergeMethod;
  },
): Promise<"merged" | "dry-run"> {
  const payload = {
    pull_number: input.pullNumber,
    sha: input.sha,
    commit_title: input.commitTitle,
    commit_message: input.commitMessage,
    merge_method: input.mergeMethod,
  };
  const sent = await writer.send(
    { kind: "pull-request", verb: `merge PR #${input.pullNumber}`, payload },
    (o, p) => o.rest.pulls.merge(p),
  );
  // A merge closes the pull request: counted as such, since the metric's actions are the layer's.
  writer.record("pull-request", sent ? "closed" : "dry-run", { pr: input.pullNumber, merged: Boolean(sent) });
  return sent ? "merged" : "dry-run";
}
