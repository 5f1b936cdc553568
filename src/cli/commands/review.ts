import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseDuration } from "../../core/commands/parse-duration.js";
import { buildReviewReport, type ReviewInput } from "../../core/review/build-review-report.js";
import { renderReviewIssue } from "../../core/review/render-review-issue.js";
import {
  lastCompletedPeriod,
  previousReviewPeriod,
  type ReviewCadence,
  ReviewCadenceSchema,
  type ReviewPeriod,
} from "../../core/review/review-period.js";
import type { ReviewReport } from "../../core/review/review-report.js";
import type { Annotation } from "../../core/triage/annotations.js";
import type { Evaluation } from "../../core/triage/evaluation-schema.js";
import { DEFAULT_DATABASE_PATH, isPostgresUrl, openStore, resolveSqlitePath } from "../../store/open-store.js";
import type { Store } from "../../store/store.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { resolveDatabaseArg } from "../database-arg.js";

const DAY = 86_400_000;
/** Enough rows for a review of a busy repository's quarter; the store's own defaults are smaller. */
const READ_LIMIT = 100_000;

/** The repoState key the revert auto-merge job records its outcome under (`{ action: "merged" }` once merged). */
const autoMergeKey = (revertPr: number) => `auto-merge:${revertPr}`;

/**
 * Everything the review of `repo` needs from the store, read once for all `periods`: findings, their
 * history, the audit log, expectations, the annotations active at some point of the periods and the
 * recorded outcome of each revert's auto-merge.
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
  };
}

/** The completed periods of `cadence` that end after `since` and by `at`, oldest first (at least the last one). */
export function periodsToReview(cadence: ReviewCadence, at: Date, sinceMs: number | null): ReviewPeriod[] {
  const periods = [lastCompletedPeriod(cadence, at)];
  if (sinceMs === null) return periods;
  const from = at.getTime() - sinceMs;
  for (
    let p = previousReviewPeriod(periods[0] as ReviewPeriod);
    p.end.getTime() > from;
    p = previousReviewPeriod(p)
  )
    periods.unshift(p);
  return periods;
}

/** The reviews of `repo` for `periods`, each compared with the one before it (read from the same store). */
export async function buildReviews(
  store: Store,
  input: { repo: string; periods: readonly ReviewPeriod[] },
): Promise<ReviewReport[]> {
  const first = input.periods[0];
  const last = input.periods.at(-1);
  if (!first || !last) return [];
  const before = previousReviewPeriod(first);
  const facts = await readReviewFacts(store, {
    repo: input.repo,
    from: before.start,
    to: new Date(last.end.getTime() - 1),
  });
  let previous = buildReviewReport({ ...facts, period: before });
  const reports: ReviewReport[] = [];
  for (const period of input.periods) {
    previous = buildReviewReport({ ...facts, period, previous });
    reports.push(previous);
  }
  return reports;
}

async function repoOf(store: Store, value: unknown): Promise<string> {
  if (typeof value === "string" && value.trim() !== "") {
    if (!/^[\w.-]+\/[\w.-]+$/.test(value.trim()))
      throw new UsageError(`--github must be owner/name, not "${value}"`);
    return value.trim().toLowerCase();
  }
  const repos = [
    ...new Set((await store.audit.list({ limit: READ_LIMIT })).flatMap((a) => (a.repo ? [a.repo] : []))),
  ].sort();
  if (repos.length === 1) return repos[0] as string;
  throw new UsageError(
    repos.length === 0
      ? "the store has no repository activity to review; check --database, or name one with --github owner/name"
      : `the store holds several repositories; name one with --github (${repos.join(", ")})`,
  );
}

/**
 * `backflow review`: the recurring review from a store, for the last completed period of
 * `--cadence` (default monthly), or for every completed period of the last `--since`.
 */
export async function runReview({ values }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const format = String(values.format ?? "markdown");
  if (format !== "markdown" && format !== "json")
    throw new UsageError(`--format must be markdown or json, not "${format}"`);
  const cadence = ReviewCadenceSchema.safeParse(values.cadence ?? "monthly");
  if (!cadence.success)
    throw new UsageError(`--cadence must be weekly, monthly or quarterly, not "${String(values.cadence)}"`);
  let sinceMs: number | null = null;
  if (typeof values.since === "string") {
    const parsed = parseDuration(values.since);
    if (!parsed.ok) throw new UsageError(`--since: ${parsed.error.replace(/`/g, "")}`);
    sinceMs = parsed.ms;
  }
  const at = typeof values.at === "string" ? new Date(values.at) : new Date();
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`--at must be an ISO date-time, not "${String(values.at)}"`);
  const database = resolveDatabaseArg(values.database, io.cwd) ?? io.env.DATABASE_URL;
  // A review only reads: a plain path that does not exist is a typo, not a new empty store.
  const path = database ? (isPostgresUrl(database) ? null : resolveSqlitePath(database)) : DEFAULT_DATABASE_PATH;
  if (path !== null && path !== ":memory:" && !existsSync(resolve(io.cwd, path)))
    throw new UsageError(
      `no database at ${resolve(io.cwd, path)}; name the app's store with --database or DATABASE_URL`,
    );
  const store = await openStore(database);
  try {
    const repo = await repoOf(store, values.github);
    const reports = await buildReviews(store, { repo, periods: periodsToReview(cadence.data, at, sinceMs) });
    io.out(
      format === "json"
        ? `${JSON.stringify(reports, null, 2)}\n`
        : reports
            .map((r) => {
              const { title, body } = renderReviewIssue(r);
              return `# ${title}\n\n${body}`;
            })
            .join("\n---\n\n"),
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
