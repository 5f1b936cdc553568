import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseDuration } from "../../core/commands/parse-duration.js";
import { renderReviewIssue } from "../../core/review/render-review-issue.js";
import {
  lastCompletedPeriod,
  previousReviewPeriod,
  type ReviewCadence,
  ReviewCadenceSchema,
  type ReviewPeriod,
} from "../../core/review/review-period.js";
import {
  DEFAULT_DATABASE_PATH,
  isPostgresUrl,
  openStore,
  resolveSqlitePath,
} from "../../store/open-store.js";
import { buildReviews } from "../../store/review-facts.js";
import type { Store } from "../../store/store.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { resolveDatabaseArg } from "../database-arg.js";

/** Enough rows to list a busy store's repositories. */
const READ_LIMIT = 100_000;

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
  const path = database
    ? isPostgresUrl(database)
      ? null
      : resolveSqlitePath(database)
    : DEFAULT_DATABASE_PATH;
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
