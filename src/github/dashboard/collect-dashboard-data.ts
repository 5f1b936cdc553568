import type { ProbotOctokit } from "probot";
import type { Contract } from "../../core/contracts/contract.js";
import type { DashboardData } from "../../core/render/render-dashboard.js";
import type { FindingRecord, Store } from "../../store/store.js";
import type { LatestReview } from "../review/publish-review.js";
import { LATEST_REVIEW_KEY } from "../review/review-job.js";
import { readPinProblem } from "./pin-dashboard.js";
import { DASHBOARD_ISSUE_KEY } from "./upsert-dashboard.js";

const WEEK_MS = 7 * 86_400_000;

function findingTitle(record: FindingRecord): string {
  const f = record.finding;
  return `${f.tableId ?? f.dataset}${f.column ? `.${f.column}` : ""} ${f.metric}`;
}

/**
 * Everything the dashboard lists, from the store (findings, expectations, annotations, signal
 * counts), GitHub (open proposal pull requests, by label) and the default branch's contracts.
 */
export async function collectDashboardData(input: {
  octokit: ProbotOctokit;
  store: Store;
  owner: string;
  repo: string;
  now: Date;
  proposalLabel: string;
  contracts: readonly Contract[] | undefined;
}): Promise<DashboardData> {
  const { store, now, octokit, owner, repo } = input;
  const repoKey = `${owner}/${repo}`.toLowerCase();
  const [findings, expectations, annotations, signals, proposals, notPinned, latestReview] =
    await Promise.all([
      store.findings.list({ repo: repoKey, state: "open", limit: 500 }),
      store.expectations.list({ repo: repoKey, updatedSince: new Date(now.getTime() - WEEK_MS) }),
      store.annotations.listActive({ repo: repoKey, at: now }),
      store.signals.countBySource({ repo: repoKey, since: new Date(now.getTime() - WEEK_MS) }),
      octokit.paginate(octokit.rest.issues.listForRepo, {
        owner,
        repo,
        state: "open",
        labels: input.proposalLabel,
        per_page: 100,
      }),
      store.repoState
        .get<number>({ repo: repoKey, key: DASHBOARD_ISSUE_KEY })
        .then((dashboardIssue) => readPinProblem({ store, repoKey, dashboardIssue })),
      store.repoState.get<LatestReview>({ repo: repoKey, key: LATEST_REVIEW_KEY }),
    ]);
  return {
    findings: findings.map((r) => ({
      fingerprint: r.fingerprint,
      title: findingTitle(r),
      severity: r.severity,
      issueNumber: r.issueNumber,
      openedAt: r.openedAt?.toISOString() ?? null,
      snoozedUntil: r.snoozedUntil?.toISOString() ?? null,
    })),
    proposals: proposals
      .filter((p) => p.pull_request)
      .map((p) => ({ number: p.number, title: p.title, createdAt: p.created_at })),
    expectations: expectations.map((e) => ({
      pr: e.pr,
      text: e.spec.text,
      mode: e.spec.mode,
      duration: e.spec.duration,
      mergedAt: e.mergedAt.toISOString(),
      state: e.state,
      ...(e.state === "watching" ? {} : { settledAt: e.updatedAt.toISOString(), revertPr: e.revertPr }),
    })),
    annotations: annotations.map((a) => ({
      dataset: a.dataset,
      kind: a.kind,
      ...(a.from ? { from: a.from } : {}),
      ...(a.to ? { to: a.to } : {}),
      note: a.note,
      author: a.author,
    })),
    ...(input.contracts
      ? {
          contracts: input.contracts.map((c) => ({
            id: c.id,
            ...(c.version ? { version: c.version } : {}),
            owners: c.owners,
            datasets: c.datasets.map((d) => d.tableId),
          })),
        }
      : {}),
    signals,
    ...(notPinned === undefined ? {} : { notPinned }),
    ...(latestReview ? { latestReview: { number: latestReview.number, key: latestReview.key } } : {}),
  };
}
