import type { ExpectationVerdict } from "../../core/expectations/expectation-schema.js";
import { selectMetricPoints } from "../../core/expectations/select-metric-points.js";
import { codeSpan } from "../../core/render/escape-markdown.js";
import type { RepoTarget } from "../app-deps.js";
import { enqueueDashboardRefresh } from "../dashboard/refresh-dashboard-job.js";
import { deadlineCheckAt } from "./expectation-deadline-job.js";
import { settleExpectation } from "./settle-expectation.js";

/**
 * The deadline job's work: an expectation still watched a grace day after its deadline got no signal
 * at or past the deadline, so it is settled inconclusive and the pull request told (the same verdict
 * comment). Nothing is reverted or resolved. Returns the verdict, or undefined when signals already
 * settled it (or it is unknown) and there is nothing to do.
 */
export async function settleAtDeadline(
  input: RepoTarget & { id: string },
): Promise<ExpectationVerdict | undefined> {
  const { deps } = input;
  const record = await deps.store.expectations.get(input.id);
  if (record?.state !== "watching") return undefined;
  // A job run early (a clock step, an operator retry) waits for the grace day like any other.
  if (deps.clock().getTime() < deadlineCheckAt(record).getTime()) return undefined;
  const deadline = new Date(record.mergedAt.getTime() + record.spec.durationMs).toISOString();
  const evaluations = await deps.store.findings.evaluations({
    repo: record.repo,
    fingerprint: record.fingerprint,
    limit: 1000,
  });
  const { mismatch } = selectMetricPoints({ metric: record.spec.metric, evaluations });
  const last = record.verdict?.state === "watching" ? record.verdict : undefined;
  const verdict: ExpectationVerdict = {
    state: "inconclusive",
    reason: `no signal for ${codeSpan(record.spec.metric)} arrived by ${deadline} (+1 day grace)${mismatch ? `; ${mismatch}` : ""}`,
    evidence: last?.evidence ?? [],
    ...(last?.baseline === undefined ? {} : { baseline: last.baseline }),
  };
  // No revert follows an inconclusive verdict, so the rollback setting plays no part.
  const settled = await settleExpectation({
    ...input,
    record,
    verdict,
    config: { rollback: "manual" },
    resolveMet: false,
  });
  if (!settled) return undefined;
  input.log.info(
    { repo: record.repo, pr: record.pr, expectation: record.id },
    "expectation inconclusive at deadline",
  );
  await enqueueDashboardRefresh({ store: deps.store, repo: record.repo, now: deps.clock() });
  return verdict;
}
