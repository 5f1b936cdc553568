import type { CanarySeriesRef } from "../../core/canary/canary-record.js";
import { canaryWatches } from "../../core/canary/canary-record.js";
import type { BackflowConfig } from "../../core/config/schema.js";
import type { LineageGraph } from "../../core/lineage/schema.js";
import { codeSpan } from "../../core/render/escape-markdown.js";
import type { Signal } from "../../core/signals/signal-schema.js";
import { findingKeyOf } from "../../core/triage/triage-signal.js";
import type { RepoTarget } from "../app-deps.js";
import { LEASE_TTL_MS } from "../lease-ttl.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { writeCanaryComment } from "./canary-comment.js";
import { readCanaryReport } from "./read-canary-report.js";

/** A triaged signal and the finding fingerprint its history point was stored under. */
export type TriagedSignal = { readonly signal: Signal; readonly fingerprint: string };

export type CanaryCheck = { readonly pr: number; readonly regressions: number; readonly commented: boolean };

/** The series refs of signals about a watched column of some canary (matched datasets only). */
function seriesOf(input: {
  repo: string;
  triaged: readonly TriagedSignal[];
  config: BackflowConfig;
  graph: LineageGraph;
  dbtProjects?: readonly string[];
}): CanarySeriesRef[] {
  return input.triaged.flatMap(({ signal, fingerprint }) => {
    const key = findingKeyOf({
      signal,
      repo: input.repo,
      config: input.config,
      graph: input.graph,
      ...(input.dbtProjects ? { dbtProjects: input.dbtProjects } : {}),
    });
    if (!("tableId" in key.match)) return [];
    return [
      {
        fingerprint,
        tableId: key.match.tableId,
        ...(key.column ? { column: key.column } : {}),
        metric: key.metric,
        kind: key.kind,
      },
    ];
  });
}

/**
 * The canary step of triage: after a delivery's signals are stored, each canary still running that
 * watches one of their columns learns the series and is judged again. A regression that starts
 * after the merge is recorded and commented on the merged pull request (one comment, updated as
 * more columns regress); one already running before the merge, or covered by an annotation, is not.
 * Serialized per canary; the window's end is left to the `canary-window-end` job.
 */
export async function watchCanaries(
  target: RepoTarget & {
    triaged: readonly TriagedSignal[];
    config: BackflowConfig;
    graph: LineageGraph;
    dbtProjects?: readonly string[];
  },
): Promise<CanaryCheck[]> {
  const { deps, repoKey } = target;
  if (target.triaged.length === 0) return [];
  const running = await deps.store.canaries.list({ repo: repoKey, ended: false });
  if (running.length === 0) return [];
  const refs = seriesOf({ ...target, repo: repoKey });
  const checks: CanaryCheck[] = [];
  for (const canary of running) {
    const mine = refs.filter((r) => canaryWatches(canary.watched, r.tableId, r.column));
    if (mine.length === 0) continue;
    const outcome = await withLease(
      {
        store: deps.store,
        name: `canary:${canary.id}`,
        owner: leaseOwner("canary"),
        clock: deps.clock,
        ttlMs: LEASE_TTL_MS,
        waitMs: 60_000,
      },
      async () => {
        const now = deps.clock();
        const current = (await deps.store.canaries.addSeries({ id: canary.id, series: mine, now })) ?? canary;
        const report = await readCanaryReport({
          store: deps.store,
          canary: current,
          config: target.config,
          now,
        });
        // Past the window's end the closing job speaks; a running window speaks only of regressions.
        if (report.complete || !report.enabled) return { pr: canary.pr, regressions: 0, commented: false };
        const regressions = report.results.filter((r) => r.verdict === "regression");
        if (regressions.length === 0) return { pr: canary.pr, regressions: 0, commented: false };
        // A regression is attributed once per column and metric; later points only restate it.
        const known = (r: (typeof regressions)[number]) =>
          current.evidence.some((e) => e.startsWith(`${codeSpan(r.target)} ${codeSpan(r.metric)}`));
        const fresh = regressions.filter((r) => !known(r));
        if (fresh.length === 0) return { pr: canary.pr, regressions: regressions.length, commented: false };
        const evidence = fresh.map((r) => r.evidence);
        // Comment first: a failed comment leaves the regression unrecorded, so the retry posts it.
        const written = await writeCanaryComment({ ...target, canary: current, report });
        await deps.store.canaries.recordRegression({ id: canary.id, evidence, summary: report.summary, now });
        target.log.info(
          { repo: repoKey, pr: canary.pr, regressions: regressions.length },
          "canary: regression attributed to a merged pull request",
        );
        return { pr: canary.pr, regressions: regressions.length, commented: written === "written" };
      },
    );
    if (outcome.acquired) checks.push(outcome.value);
    else
      target.log.warn(
        { repo: repoKey, canary: canary.id },
        "canary lease held elsewhere; skipped this check",
      );
  }
  return checks;
}
