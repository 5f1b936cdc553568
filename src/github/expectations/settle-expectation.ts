import type { BackflowConfig } from "../../core/config/schema.js";
import { GitHubWriteError } from "../../core/errors.js";
import type { ExpectationVerdict } from "../../core/expectations/expectation-schema.js";
import { renderVerdictComment, verdictMarker } from "../../core/expectations/render-expectations.js";
import type { ExpectationRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { postComment } from "../writers/ensure-comment.js";
import { writerFor } from "../writers/github-writer.js";
import { type OpenRevert, openRevert, type RevertOutcome } from "./open-revert.js";
import { resolveMetFinding } from "./resolve-met-finding.js";

/** The repoState key set while a settled verdict's follow-up failed and waits for a retry. */
const retryKey = (id: string) => `expectation-retry:${id}`;

export type SettleInput = RepoTarget & {
  record: ExpectationRecord;
  /** A final verdict: met, violated or inconclusive. */
  verdict: ExpectationVerdict;
  config: Pick<BackflowConfig, "rollback">;
  openRevert?: OpenRevert;
  /** False for a verdict that must not resolve the finding it reads (the deadline job's). */
  resolveMet?: boolean;
};

/** Whether a verdict comment for `id` is on the pull request already (a retry after GitHub took it). */
async function commented(input: SettleInput): Promise<boolean> {
  const { octokit, owner, repo, record } = input;
  const marker = verdictMarker(record.id);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: record.pr,
    per_page: 100,
  });
  return comments.some((c) => c.body?.includes(marker));
}

async function announce(input: SettleInput & { revert?: RevertOutcome; retried: boolean }): Promise<void> {
  const { record, verdict } = input;
  const body = renderVerdictComment({
    id: record.id,
    expectation: record.spec,
    verdict,
    ...(input.revert ? { revert: input.revert } : {}),
    autoRequested: input.config.rollback === "auto",
  });
  if (input.retried && (await commented(input))) return;
  await postComment(writerFor(input), { issueNumber: record.pr, body });
}

/** The revert, comment and finding resolution that follow a verdict; throws when they must be retried. */
async function followUp(input: SettleInput & { retried: boolean }): Promise<void> {
  const { deps, owner, repo, record, verdict } = input;
  let revert: RevertOutcome | undefined;
  if (verdict.state === "violated") {
    revert = await (input.openRevert ?? openRevert)({
      octokit: input.octokit,
      deps,
      log: input.log,
      owner,
      repo,
      repoKey: input.repoKey,
      pr: record.pr,
      mergeSha: record.mergeSha,
      ...(record.author ? { author: record.author } : {}),
      autoMerge: input.config.rollback === "auto",
      reason: `expectation ${record.spec.text} was violated: ${verdict.reason}`,
    });
    if ("problem" in revert && revert.retryable) throw new GitHubWriteError(revert.problem);
    if ("number" in revert)
      await deps.store.expectations.setRevertPr({
        id: record.id,
        revertPr: revert.number,
        now: deps.clock(),
      });
  }
  await announce({ ...input, ...(revert ? { revert } : {}) });
  if (verdict.state === "met" && input.resolveMet !== false)
    await resolveMetFinding({
      ...input,
      record,
      metAt: verdict.evidence.findLast((p) => p.holds)?.observedAt,
    });
}

/**
 * Records a final verdict and acts on it, at least once and commenting once: the run that moves the
 * expectation out of `watching` opens the revert (violated), comments on the pull request and
 * resolves the finding (met). If any of that throws, the expectation goes back to `watching` and the
 * error is rethrown so the job retries; the retry reuses the revert pull request (its branch is
 * deterministic) and skips a verdict comment GitHub already has. Returns false when another run
 * settled it first.
 */
export async function settleExpectation(input: SettleInput): Promise<boolean> {
  const { deps, record, verdict } = input;
  const settled = await deps.store.expectations.settle({
    id: record.id,
    from: "watching",
    state: verdict.state,
    verdict,
    now: deps.clock(),
  });
  if (!settled) return false;
  const key = { repo: record.repo, key: retryKey(record.id) };
  const retried = (await deps.store.repoState.get<boolean>(key)) === true;
  try {
    await followUp({ ...input, retried });
  } catch (error) {
    await deps.store.repoState.put({ ...key, value: true, now: deps.clock() });
    await deps.store.expectations.settle({
      id: record.id,
      from: verdict.state,
      state: "watching",
      verdict,
      now: deps.clock(),
    });
    input.log.warn(
      { err: error, repo: record.repo, pr: record.pr, expectation: record.id, state: verdict.state },
      "expectation verdict not delivered; watching again until the retry",
    );
    throw error;
  }
  if (retried) await deps.store.repoState.delete(key);
  return true;
}
