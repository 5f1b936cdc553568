import { canaryWatches } from "../../core/canary/canary-record.js";
import type { SuspectCommit } from "../../core/render/render-drift-issue.js";
import {
  type AttributedPullRequest,
  type CanaryAttribution,
  firstBreachOf,
  type MergedPullRequest,
  rankAttribution,
  withCanaryAttribution,
} from "../../core/triage/attribution.js";
import type { Evaluation } from "../../core/triage/evaluation-schema.js";
import type { Finding } from "../../core/triage/triage-signal.js";
import type { AuditStore, Store } from "../../store/store.js";
import { readCanaryReport } from "../canary/read-canary-report.js";
import { COMMIT_DAYS, type TriageRun } from "./triage-run.js";

const DAY = 86_400_000;

/** Merged pull requests of the suspect files' commits, each with the files it touched among them. */
export function mergedPullsOf(commits: ReadonlyMap<string, readonly SuspectCommit[]>): MergedPullRequest[] {
  const byPr = new Map<number, { mergedAt: string; author: string | null; files: Set<string> }>();
  for (const [file, list] of commits)
    for (const c of list) {
      if (c.pr === undefined || !c.prMergedAt) continue;
      const known = byPr.get(c.pr) ?? {
        mergedAt: c.prMergedAt,
        author: c.prAuthor ?? null,
        files: new Set(),
      };
      known.files.add(file);
      byPr.set(c.pr, known);
    }
  return [...byPr].map(([pr, p]) => ({
    pr,
    mergedAt: new Date(p.mergedAt),
    author: p.author,
    files: [...p.files],
  }));
}

/** Pull requests an owner acknowledged as breaking (the impact check's acknowledge button). */
async function acknowledgedPulls(audit: AuditStore, repo: string): Promise<Set<number>> {
  const entries = await audit.list({ repo, action: "impact.acknowledge", limit: 1000 });
  return new Set(
    entries.flatMap((a) => {
      const pr = (a.detail as { pr?: unknown } | null)?.pr;
      return typeof pr === "number" ? [pr] : [];
    }),
  );
}

/**
 * Canaries that caught this finding: a canary watching the drifting column, merged in the lookback
 * before the first breach, whose judgement of this finding's history is a regression that started
 * after its merge. Judged here (not read from the canary's stored evidence) because the canary
 * step of triage runs after the drift issue is written.
 */
async function canaryCatches(input: {
  store: Pick<Store, "canaries" | "findings" | "annotations">;
  run: TriageRun;
  finding: Finding;
  firstBreachAt: Date;
  acknowledged: ReadonlySet<number>;
}): Promise<CanaryAttribution[]> {
  const { finding, store } = input;
  if (!finding.tableId) return [];
  const tableId = finding.tableId;
  const from = input.firstBreachAt.getTime() - COMMIT_DAYS * DAY;
  const canaries = (await store.canaries.list({ repo: finding.repo })).filter(
    (c) =>
      c.mergedAt.getTime() >= from &&
      c.mergedAt <= input.firstBreachAt &&
      canaryWatches(c.watched, tableId, finding.column),
  );
  const caught: CanaryAttribution[] = [];
  for (const canary of canaries) {
    const ref = {
      fingerprint: finding.fingerprint,
      tableId,
      ...(finding.column ? { column: finding.column.toLowerCase() } : {}),
      metric: finding.metric,
      kind: finding.kind,
    };
    const report = await readCanaryReport({
      store,
      canary: { ...canary, series: [ref] },
      config: input.run.context.config,
      now: input.run.deps.clock(),
    });
    const hit = report.results.find((r) => r.verdict === "regression");
    if (hit)
      caught.push({
        pr: canary.pr,
        mergedAt: canary.mergedAt,
        author: canary.author,
        evidence: hit.evidence,
        acknowledgedBreaking: input.acknowledged.has(canary.pr),
      });
  }
  return caught;
}

/**
 * The merged pull requests suspected of a finding, for its drift issue: those a post-merge canary
 * caught first (with the canary's evidence), then those that touched an upstream file of the
 * drifting column in the COMMIT_DAYS before the first breach, by lineage distance and time, each
 * with merge time and author; acknowledged breaking changes marked.
 */
export async function attributePullRequests(input: {
  run: TriageRun;
  finding: Finding;
  commits: ReadonlyMap<string, readonly SuspectCommit[]>;
  history: readonly Evaluation[];
}): Promise<AttributedPullRequest[]> {
  const { run, finding } = input;
  const { store } = run.deps;
  const firstBreachAt = firstBreachOf(input.history, finding.metric) ?? new Date(finding.observedAt);
  const acknowledged = await acknowledgedPulls(store.audit, finding.repo);
  const pulls = mergedPullsOf(input.commits).map((p) => ({
    ...p,
    acknowledgedBreaking: acknowledged.has(p.pr),
  }));
  const ranked = rankAttribution({
    suspects: finding.suspects,
    firstBreachAt,
    lookbackDays: COMMIT_DAYS,
    pullRequests: pulls,
  });
  const caught = await canaryCatches({ store, run, finding, firstBreachAt, acknowledged });
  return withCanaryAttribution(ranked, caught, firstBreachAt);
}
