import type { BackflowConfig } from "../../core/config/schema.js";
import type { ExpectationState, ExpectationVerdict } from "../../core/expectations/expectation-schema.js";
import { judgeExpectation } from "../../core/expectations/judge-expectation.js";
import { renderVerdictComment } from "../../core/expectations/render-expectations.js";
import type { ExpectationRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { type OpenRevert, openRevert, type RevertOutcome } from "./open-revert.js";
import { resolveMetFinding } from "./resolve-met-finding.js";

export type ExpectationCheck = {
  readonly id: string;
  readonly state: ExpectationState;
  readonly settled: boolean;
};

async function announce(
  input: RepoTarget & {
    record: ExpectationRecord;
    verdict: ExpectationVerdict;
    revert?: RevertOutcome;
    autoRequested?: boolean;
  },
): Promise<void> {
  const { record, verdict, owner, repo } = input;
  const body = renderVerdictComment({
    id: record.id,
    expectation: record.spec,
    verdict,
    ...(input.revert ? { revert: input.revert } : {}),
    autoRequested: input.autoRequested ?? false,
  });
  if (input.deps.dryRun) {
    input.log.info({ payload: { owner, repo, issue_number: record.pr, body } }, "dry run: would comment");
    return;
  }
  await input.octokit.rest.issues.createComment({ owner, repo, issue_number: record.pr, body });
}

/**
 * Re-judges the watched expectations that read finding `fingerprint`, after the triage job stored an
 * evaluation for it. A verdict is recorded once (the first run to settle it comments): met → a
 * comment on the pull request, and the finding it reads resolved; violated → a comment with the evidence and a revert pull request
 * (merged automatically under `rollback: auto` when clean and green); inconclusive → a comment.
 */
export async function checkExpectationsForSignal(
  input: RepoTarget & {
    fingerprint: string;
    config: Pick<BackflowConfig, "rollback">;
    openRevert?: OpenRevert;
  },
): Promise<ExpectationCheck[]> {
  const { deps, owner, repo, fingerprint } = input;
  const repoKey = `${owner}/${repo}`.toLowerCase();
  const watching = await deps.store.expectations.list({ repo: repoKey, fingerprint, state: "watching" });
  if (watching.length === 0) return [];
  const evaluations = await deps.store.findings.evaluations({ repo: repoKey, fingerprint, limit: 1000 });
  const checks: ExpectationCheck[] = [];
  for (const record of watching) {
    const verdict = judgeExpectation({
      expectation: record.spec,
      evaluations,
      mergedAt: record.mergedAt.toISOString(),
    });
    const now = deps.clock();
    const settled = await deps.store.expectations.settle({
      id: record.id,
      from: "watching",
      state: verdict.state,
      verdict,
      now,
    });
    checks.push({ id: record.id, state: verdict.state, settled: settled && verdict.state !== "watching" });
    if (!settled || verdict.state === "watching") continue;
    input.log.info(
      { repo: repoKey, pr: record.pr, expectation: record.id, state: verdict.state },
      "expectation settled",
    );
    let revert: RevertOutcome | undefined;
    if (verdict.state === "violated") {
      revert = await (input.openRevert ?? openRevert)({
        octokit: input.octokit,
        deps,
        log: input.log,
        owner,
        repo,
        pr: record.pr,
        mergeSha: record.mergeSha,
        autoMerge: input.config.rollback === "auto",
        reason: `expectation ${record.spec.text} was violated: ${verdict.reason}`,
      });
      if ("number" in revert)
        await deps.store.expectations.setRevertPr({ id: record.id, revertPr: revert.number, now });
    }
    await announce({
      ...input,
      record,
      verdict,
      ...(revert ? { revert } : {}),
      autoRequested: input.config.rollback === "auto",
    });
    if (verdict.state === "met")
      await resolveMetFinding({
        ...input,
        record,
        metAt: verdict.evidence.findLast((p) => p.holds)?.observedAt,
      });
  }
  return checks;
}
