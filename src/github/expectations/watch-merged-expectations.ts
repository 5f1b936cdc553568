import { hasExpectsBlock, parseExpectations } from "../../core/expectations/parse-expectations.js";
import { renderWatchingComment } from "../../core/expectations/render-expectations.js";
import { validateExpectations } from "../../core/expectations/validate-expectations.js";
import type { LineageGraph } from "../../core/lineage/schema.js";
import type { ExpectationRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { enqueueDashboardRefresh } from "../dashboard/refresh-dashboard-job.js";
import { postComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";
import { enqueueExpectationDeadlines } from "./expectation-deadline-job.js";

export type MergedPullRequest = {
  readonly number: number;
  readonly body: string | null;
  readonly mergedAt: string;
  readonly mergeSha: string;
  /** Its author's login, asked to review a revert. */
  readonly author?: string;
};

/**
 * Stores the expectations of a merged pull request and comments that they are watched. Idempotent:
 * expectations are keyed by repository, pull request and line, and the comment is posted only by
 * the run that stored them. Each gets a deadline job (deadline + 1 day) that calls it inconclusive if
 * no signal settles it first. Returns how many were stored.
 */
export async function watchMergedExpectations(
  input: RepoTarget & {
    pr: MergedPullRequest;
    loadGraph: () => Promise<LineageGraph>;
  },
): Promise<number> {
  const { deps, owner, repo, pr } = input;
  const body = pr.body ?? "";
  if (!hasExpectsBlock(body)) return 0;
  const repoKey = `${owner}/${repo}`.toLowerCase();
  const parsed = parseExpectations(body);
  const { bound, problems } = validateExpectations({
    expectations: parsed.expectations,
    graph: await input.loadGraph(),
    repo: repoKey,
  });
  const now = deps.clock();
  const records: ExpectationRecord[] = bound.map((spec) => ({
    id: `${repoKey}#${pr.number}:${spec.line}`,
    repo: repoKey,
    pr: pr.number,
    mergeSha: pr.mergeSha,
    mergedAt: new Date(pr.mergedAt),
    author: pr.author ?? null,
    fingerprint: spec.fingerprint,
    spec,
    state: "watching",
    verdict: null,
    revertPr: null,
    createdAt: now,
    updatedAt: now,
  }));
  const added = await deps.store.expectations.add(records);
  if (added > 0) await enqueueDashboardRefresh({ store: deps.store, repo: repoKey, now });
  await enqueueExpectationDeadlines({ store: deps.store, repo: `${owner}/${repo}`, records, now });
  const first = await deps.store.repoState.putIfAbsent({
    repo: repoKey,
    key: `expectations-comment:${pr.number}`,
    value: true,
    now,
  });
  if (!first) return added;
  const comment = renderWatchingComment({
    pr: pr.number,
    bound,
    problems: [...parsed.problems, ...problems],
  });
  try {
    await postComment(writerFor(input), { issueNumber: pr.number, body: comment });
  } catch (error) {
    // Let a redelivery post it.
    await deps.store.repoState.delete({ repo: repoKey, key: `expectations-comment:${pr.number}` });
    throw error;
  }
  input.log.info(
    { repo: repoKey, pr: pr.number, watching: bound.length, problems: problems.length },
    "watching expectations of a merged pull request",
  );
  return added;
}
