import { buildReviewReport, type ReviewInput } from "../core/review/build-review-report.js";
import { previousReviewPeriod, type ReviewPeriod } from "../core/review/review-period.js";
import type { ReviewReport } from "../core/review/review-report.js";
import type { Annotation } from "../core/triage/annotations.js";
import type { Evaluation } from "../core/triage/evaluation-schema.js";
import type { Store } from "./store.js";

const DAY = 86_400_000;
/** Enough rows for a review of a busy repository's quarter; the store's own defaults are smaller. */
const READ_LIMIT = 100_000;

/** The repoState key the revert auto-merge job records its outcome under (`{ action: "merged" }` once merged). */
const autoMergeKey = (revertPr: number) => `auto-merge:${revertPr}`;

/**
 * Everything the review of `repo` needs from the store, read once for all `periods`: findings, their
 * history, the audit log, expectations, canaries, the annotations active at some point of the periods
 * and the recorded outcome of each revert's auto-merge. Shared by `backflow review` and the review job.
 */
export async function readReviewFacts(
  store: Store,
  input: { repo: string; from: Date; to: Date },
): Promise<Omit<ReviewInput, "period" | "previous">> {
  const { repo } = input;
  const findings = await store.findings.list({ repo, limit: READ_LIMIT });
  const history: Record<string, Evaluation[]> = {};
  for (const f of findings)
    history[f.fingerprint] = await store.findings.evaluations({
      repo,
      fingerprint: f.fingerprint,
      limit: READ_LIMIT,
    });
  const audit = await store.audit.list({ repo, limit: READ_LIMIT });
  const expectations = await store.expectations.list({ repo });
  const annotations = new Map<string, Annotation>();
  // The store answers "active at an instant": ask once a day over the periods, and at their last instant.
  const instants: number[] = [];
  for (let t = input.from.getTime(); t < input.to.getTime(); t += DAY) instants.push(t);
  instants.push(input.to.getTime());
  for (const t of instants)
    for (const a of await store.annotations.listActive({ repo, at: new Date(t) })) annotations.set(a.id, a);
  const canaries = await store.canaries.list({ repo });
  const revertsMerged = new Map<number, boolean>();
  for (const x of expectations) {
    if (x.revertPr === null) continue;
    const outcome = await store.repoState.get<{ action?: string }>({ repo, key: autoMergeKey(x.revertPr) });
    if (outcome) revertsMerged.set(x.revertPr, outcome.action === "merged");
  }
  return {
    repo,
    findings,
    history,
    audit,
    expectations,
    annotations: [...annotations.values()],
    revertsMerged,
    canaries,
  };
}

/** The reviews of `repo` for `periods`, each compared with the one before it (read from the same store). */
export async function buildReviews(
  store: Store,
  input: {
    repo: string;
    periods: readonly ReviewPeriod[];
    /** Owners per lineage table id, when the caller read the repository (the app does, the CLI does not). */
    owners?: Readonly<Record<string, readonly string[]>>;
  },
): Promise<ReviewReport[]> {
  const first = input.periods[0];
  const last = input.periods.at(-1);
  if (!first || !last) return [];
  const before = previousReviewPeriod(first);
  const facts = {
    ...(await readReviewFacts(store, {
      repo: input.repo,
      from: before.start,
      to: new Date(last.end.getTime() - 1),
    })),
    ...(input.owners ? { owners: input.owners } : {}),
  };
  let previous = buildReviewReport({ ...facts, period: before });
  const reports: ReviewReport[] = [];
  for (const period of input.periods) {
    previous = buildReviewReport({ ...facts, period, previous });
    reports.push(previous);
  }
  return reports;
}
