import { createHash } from "node:crypto";
import type { CanaryReport } from "../../core/canary/decide-canary.js";
import { renderCanaryComment } from "../../core/canary/render-canary-comment.js";
import type { CanaryRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { isNotFound } from "../request-errors.js";

/** The comment a canary wrote before: its id and the hash of its body. */
type KnownComment = { readonly id: number; readonly hash: string };

const hashOf = (body: string) => createHash("sha256").update(body).digest("hex");

/** The comment on `issueNumber` carrying `marker`, every page searched. */
async function findByMarker(
  target: RepoTarget,
  issueNumber: number,
  marker: string,
): Promise<number | undefined> {
  const { octokit, owner, repo } = target;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  })) {
    const hit = page.data.find((c) => c.body?.includes(marker));
    if (hit) return hit.id;
  }
  return undefined;
}

/** Edits comment `id`, or says it is gone (deleted by a person). */
async function update(target: RepoTarget, id: number, body: string): Promise<boolean> {
  const { octokit, owner, repo } = target;
  try {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * Keeps the canary's comment of one phase on the merged pull request: `regression` (updated as
 * more regressions are attributed) or `end`. Nothing when the report has nothing to say (window
 * running without regression; a clean end under `canary.quiet`). The comment id and body hash are
 * kept in repo state, so a re-run with the same text sends nothing; a lost store finds the comment
 * by its hidden marker instead of posting a second one. Dry run logs the exact payload.
 */
export async function writeCanaryComment(
  target: RepoTarget & { canary: CanaryRecord; report: CanaryReport },
): Promise<"written" | "unchanged" | "none"> {
  const { canary, report, deps, octokit, owner, repo } = target;
  const body = renderCanaryComment({ report, repo: canary.repo, pr: canary.pr });
  if (body === null) return "none";
  const phase = report.complete ? "end" : "regression";
  const key = `canary-comment:${canary.pr}:${phase}`;
  const hash = hashOf(body);
  const known = await deps.store.repoState.get<KnownComment>({ repo: canary.repo, key });
  if (known?.hash === hash) return "unchanged";
  if (deps.dryRun) {
    target.log.info({ payload: { owner, repo, issue_number: canary.pr, body } }, "dry run: would comment");
    return "written";
  }
  const marker = body.split("\n")[0] ?? "";
  let id = known && (await update(target, known.id, body)) ? known.id : undefined;
  if (id === undefined) {
    const found = await findByMarker(target, canary.pr, marker);
    if (found !== undefined && (await update(target, found, body))) id = found;
  }
  if (id === undefined) {
    const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: canary.pr, body });
    id = data.id;
  }
  await deps.store.repoState.put({ repo: canary.repo, key, value: { id, hash }, now: deps.clock() });
  return "written";
}
