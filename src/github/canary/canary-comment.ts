import type { CanaryReport } from "../../core/canary/decide-canary.js";
import { renderCanaryComment } from "../../core/canary/render-canary-comment.js";
import type { CanaryRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { commentHash, ensureComment, type KnownComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";

/**
 * Keeps the canary's comment of one phase on the merged pull request: `regression` (updated as
 * more regressions are attributed) or `end`. Nothing when the report has nothing to say (window
 * running without regression; a clean end under `canary.quiet`). The comment id and body hash are
 * kept in repo state, so a re-run with the same text sends nothing.
 */
export async function writeCanaryComment(
  target: RepoTarget & { canary: CanaryRecord; report: CanaryReport },
): Promise<"written" | "unchanged" | "none"> {
  const { canary, report, deps } = target;
  const body = renderCanaryComment({ report, repo: canary.repo, pr: canary.pr });
  if (body === null) return "none";
  const phase = report.complete ? "end" : "regression";
  const key = `canary-comment:${canary.pr}:${phase}`;
  const known = await deps.store.repoState.get<KnownComment>({ repo: canary.repo, key });
  if (known?.hash === commentHash(body)) return "unchanged";
  const result = await ensureComment(writerFor(target), {
    issueNumber: canary.pr,
    body,
    marker: body.split("\n")[0] ?? "",
    known,
  });
  if (result.id !== undefined)
    await deps.store.repoState.put({
      repo: canary.repo,
      key,
      value: { id: result.id, hash: result.hash },
      now: deps.clock(),
    });
  return result.action === "unchanged" ? "unchanged" : "written";
}
