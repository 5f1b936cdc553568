import type { BackflowConfig } from "../../core/config/schema.js";
import type { ExpectationState } from "../../core/expectations/expectation-schema.js";
import { judgeExpectation } from "../../core/expectations/judge-expectation.js";
import type { RepoTarget } from "../app-deps.js";
import type { OpenRevert } from "./open-revert.js";
import { settleExpectation } from "./settle-expectation.js";

export type ExpectationCheck = {
  readonly id: string;
  readonly state: ExpectationState;
  readonly settled: boolean;
};

/**
 * Re-judges the watched expectations that read finding `fingerprint`, after the triage job stored an
 * evaluation for it. A verdict is acted on by the run that settles it (see `settleExpectation`):
 * met → a comment on the pull request, and the finding it reads resolved; violated → a comment with
 * the evidence and a revert pull request (merged automatically under `rollback: auto` when clean and
 * green); inconclusive → a comment. Throws, leaving the expectation watched, when that must be retried.
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
    if (verdict.state === "watching") {
      // Keeps the latest reading for the dashboard; a run that moved it meanwhile wins.
      await deps.store.expectations.settle({
        id: record.id,
        from: "watching",
        state: "watching",
        verdict,
        now: deps.clock(),
      });
      checks.push({ id: record.id, state: verdict.state, settled: false });
      continue;
    }
    const settled = await settleExpectation({ ...input, record, verdict });
    checks.push({ id: record.id, state: verdict.state, settled });
    if (settled)
      input.log.info(
        { repo: repoKey, pr: record.pr, expectation: record.id, state: verdict.state },
        "expectation settled",
      );
  }
  return checks;
}
