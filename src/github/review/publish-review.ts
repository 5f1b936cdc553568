import type { BackflowConfig } from "../../core/config/schema.js";
import { ConfigError } from "../../core/errors.js";
import { resolveOwners } from "../../core/impact/resolve-owners.js";
import { renderReviewIssue } from "../../core/review/render-review-issue.js";
import { lastCompletedPeriod, reviewPeriodOf } from "../../core/review/review-period.js";
import type { ReviewReport } from "../../core/review/review-report.js";
import { buildReviews } from "../../store/review-facts.js";
import type { RepoTarget } from "../app-deps.js";
import { configOrDefaults } from "../config-or-defaults.js";
import { enqueueDashboardRefresh } from "../dashboard/refresh-dashboard-job.js";
import { loadDefaultBranchContext } from "../drift/load-triage-context.js";
import { type EnsureIssueResult, ensureIssue } from "../writers/ensure-issue.js";
import { writerFor } from "../writers/github-writer.js";
import { LATEST_REVIEW_KEY, scheduleReview } from "./review-job.js";

/** The label every review issue carries. */
export const REVIEW_LABEL = "backflow-review";

export type LatestReview = { readonly number: number; readonly key: string; readonly title: string };

/** What became of the period's review issue. */
export type ReviewIssueAction = "created" | "updated" | "unchanged" | "left-closed" | "dry-run";

export type PublishReviewResult =
  | { readonly action: "off" }
  | {
      readonly action: ReviewIssueAction | "empty";
      readonly period: string;
      readonly issue?: number;
      readonly next: Date;
    };

/** Whether anything the review reports happened in (or was still open during) its period. */
export function hasActivity(report: ReviewReport): boolean {
  const x = report.expectations;
  const c = report.canaries;
  return (
    report.findings.issues.length > 0 ||
    x.met + x.violated + x.inconclusive + x.watching > 0 ||
    report.reverts.opened > 0 ||
    (c !== null && c.clean + c.regressed + c.noSignal + c.watching > 0) ||
    report.criedWolf.length > 0 ||
    report.closedNothingLearned > 0 ||
    report.annotationsUsed.length > 0 ||
    report.breakingAcknowledged.length > 0
  );
}

/** The review's word for what the writer did (a review issue is never reopened or closed by it). */
function reviewActionOf(action: EnsureIssueResult["action"]): ReviewIssueAction {
  if (action === "reopened") return "updated";
  if (action === "closed") return "left-closed";
  return action;
}

/**
 * The default branch's config and the owners of each lineage table (config `owners`, contracts,
 * CODEOWNERS: as drift issues name them). An invalid config gives the defaults and no owners.
 */
async function configAndOwners(
  target: RepoTarget,
): Promise<{ config: BackflowConfig; owners?: Record<string, string[]> }> {
  try {
    const context = await loadDefaultBranchContext(target);
    const owners = Object.fromEntries(
      context.graph.tables.map((t) => [
        t.id,
        resolveOwners({
          table: t.id,
          ...(t.file ? { file: t.file } : {}),
          config: context.config,
          contracts: context.contracts,
          ...(context.codeowners ? { codeowners: context.codeowners } : {}),
        }),
      ]),
    );
    return { config: context.config, owners };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { config: await configOrDefaults(target, "the review runs") };
  }
}

/**
 * The recurring review's run: reads the config (`review: off` stops here and schedules nothing; a
 * later config change schedules it again), builds the review of the last completed period from the
 * store, keeps one issue per period (found by the period's hidden marker, open or closed since the
 * period began, so a re-run or a redelivery updates it and never opens a second; a closed one is
 * left closed), remembers it for the dashboard and schedules the next run at the current period's end.
 */
export async function publishReview(
  target: RepoTarget & { installationId?: number },
): Promise<PublishReviewResult> {
  const { deps, repoKey, log } = target;
  const { config, owners } = await configAndOwners(target);
  if (config.review === "off") {
    log.info({ repo: repoKey }, "review is off; not scheduling another");
    return { action: "off" };
  }
  const now = deps.clock();
  const period = lastCompletedPeriod(config.review, now);
  const [report] = await buildReviews(deps.store, {
    repo: repoKey,
    periods: [period],
    ...(owners ? { owners } : {}),
  });
  if (!report) throw new Error(`no review was built for ${period.key}`);
  // The next run publishes the current period, at its end.
  const current = reviewPeriodOf(config.review, now);
  const next = current.end;
  const schedule = () =>
    scheduleReview({
      store: deps.store,
      repo: `${target.owner}/${target.repo}`,
      ...(target.installationId !== undefined ? { installationId: target.installationId } : {}),
      period: current,
      runAt: next,
      now,
    });
  if (!hasActivity(report)) {
    // A period before Backflow saw anything (a new installation): no empty issue.
    await schedule();
    log.info({ repo: repoKey, period: period.key }, "nothing happened in the period; no review issue");
    return { action: "empty", period: period.key, next };
  }
  const { title, body } = renderReviewIssue(report);
  const known = await deps.store.repoState.get<LatestReview>({ repo: repoKey, key: LATEST_REVIEW_KEY });
  const written = await ensureIssue(writerFor(target), {
    marker: report.marker,
    knownNumber: known?.key === period.key ? known.number : null,
    label: REVIEW_LABEL,
    // The period's issue was opened after the period ended: closed ones older than that are others'.
    closedSince: period.start,
    desired: { title, body, labels: [REVIEW_LABEL], labelDescription: "Backflow's recurring review" },
    // A person closed this period's review: it stays closed, and no second one is opened.
    onClosed: () => "leave",
  });
  const result = { action: reviewActionOf(written.action), number: written.number };
  if (result.number !== undefined && known?.number !== result.number)
    await deps.store.repoState.put({
      repo: repoKey,
      key: LATEST_REVIEW_KEY,
      value: { number: result.number, key: period.key, title } satisfies LatestReview,
      now,
    });
  if (result.action === "created") {
    await deps.store.audit.record({
      at: now,
      actor: "backflow",
      action: "review.published",
      repo: repoKey,
      target: period.key,
      detail: { issue: result.number ?? null, cadence: period.cadence },
    });
    await enqueueDashboardRefresh({ store: deps.store, repo: repoKey, now });
  }
  await schedule();
  log.info(
    { repo: repoKey, period: period.key, action: result.action, issue: result.number },
    "review published",
  );
  return {
    action: result.action,
    period: period.key,
    ...(result.number !== undefined ? { issue: result.number } : {}),
    next,
  };
}
