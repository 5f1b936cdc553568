import type { CanaryReport } from "../../core/canary/decide-canary.js";
import { renderCanaryComment } from "../../core/canary/render-canary-comment.js";
import type { CanaryRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { ensureComment, type KnownComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";

/** What the canary's comment came to: `dry-run` is a write logged but not sent. */
export type CanaryCommentAction = "written" | "unchanged" | "none" | "dry-run";

/**
 * Keeps the canary's comment of one phase on the merged pull request: `regression` (updated as
 * more regressions are attributed) or `end`. Nothing when the report has nothing to say (window
 * running without regression; a clean end under `canary.quiet`). The comment id and body hash are
 * kept in repo state, so a re-run with the same text sends nothing; a lost store finds the comment
 * by its hidden marker (the body's first line) instead of posting a second one.
 */
export async function writeCanaryComment(
  target: RepoTarget & { canary: CanaryRecord; report: CanaryReport },
): Promise<CanaryCommentAction> {
  const { canary, report, deps } = target;
  const body = renderCanaryComment({ report, repo: canary.repo, pr: canary.pr });
  if (body === null) return "none";
  const phase = report.complete ? "end" : "regression";
  const key = `canary-comment:${canary.pr}:${phase}`;
  const known = await deps.store.repoState.get<KnownComment>({ repo: canary.repo, key });
  const written = await ensureComment(writerFor(target), {
    issueNumber: canary.pr,
    body,
    marker: body.split("\n")[0] ?? "",
    known,
  });
  if (written.action === "dry-run") return "dry-run";
  if (written.id !== undefined && (written.id !== known?.id || written.hash !== known.hash))
    await deps.store.repoState.put({
      repo: canary.repo,
      key,
      value: { id: written.id, hash: written.hash } satisfies KnownComment,
      now: deps.clock(),
    });
  return written.action === "unchanged" ? "unchanged" : "written";
}
