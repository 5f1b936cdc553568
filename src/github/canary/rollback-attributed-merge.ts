import { canaryWatches } from "../../core/canary/canary-record.js";
import type { CanaryRecord, Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { type OpenRevert, openRevert } from "../expectations/open-revert.js";

export type AttributedRollback =
  | { readonly ok: true; readonly pr: number; readonly revertPr: number }
  | { readonly ok: false; readonly problem: string };

/**
 * The merged pull request a post-merge canary blamed for the drift tracked by issue `issueNumber`:
 * a regressed canary that read the finding's series (or, before its series was recorded, watches
 * its column), the latest merge first. Null when the issue is no drift issue or no canary caught it.
 */
export async function attributedMergeOf(input: {
  store: Pick<Store, "findings" | "canaries">;
  repo: string;
  issueNumber: number;
}): Promise<CanaryRecord | null> {
  const { store, repo } = input;
  const finding = (await store.findings.list({ repo, limit: 1000 })).find(
    (f) => f.issueNumber === input.issueNumber,
  );
  const tableId = finding?.finding.tableId;
  if (!finding || !tableId) return null;
  const regressed = await store.canaries.list({ repo, state: "regressed" });
  const caught = regressed.filter(
    (c) =>
      c.series.some((s) => s.fingerprint === finding.fingerprint) ||
      canaryWatches(c.watched, tableId, finding.finding.column),
  );
  return caught.sort((a, b) => b.mergedAt.getTime() - a.mergedAt.getTime())[0] ?? null;
}

/**
 * `/backflow rollback` on a drift issue: opens the revert of the merged pull request the post-merge
 * canary attributed the regression to (ready for review, its author asked), as the same command on
 * that pull request would. Refused, saying where to run it instead, when no canary caught one.
 */
export async function rollbackAttributedMerge(
  target: RepoTarget & { issueNumber: number; actor: string; open?: OpenRevert },
): Promise<AttributedRollback> {
  const canary = await attributedMergeOf({
    store: target.deps.store,
    repo: target.repoKey,
    issueNumber: target.issueNumber,
  });
  if (!canary)
    return {
      ok: false,
      problem:
        "no post-merge canary attributed this issue's drift to a merged pull request; comment `/backflow rollback` on the pull request to revert instead",
    };
  const outcome = await (target.open ?? openRevert)({
    octokit: target.octokit,
    deps: target.deps,
    log: target.log,
    owner: target.owner,
    repo: target.repo,
    repoKey: target.repoKey,
    pr: canary.pr,
    mergeSha: canary.mergeSha,
    ...(canary.author ? { author: canary.author } : {}),
    autoMerge: false,
    reason: `rollback requested by ${target.actor} on #${target.issueNumber}, whose regression the post-merge canary attributed to #${canary.pr}`,
  });
  if ("problem" in outcome) return { ok: false, problem: outcome.problem };
  return { ok: true, pr: canary.pr, revertPr: outcome.number };
}
