import { canaryOutcomeOf } from "../../core/canary/canary-record.js";
import type { RepoTarget } from "../app-deps.js";
import { configOrDefaults } from "../config-or-defaults.js";
import { enqueueDashboardRefresh } from "../dashboard/refresh-dashboard-job.js";
import { type CanaryCommentAction, writeCanaryComment } from "./canary-comment.js";
import { readCanaryReport } from "./read-canary-report.js";

export type EndCanaryResult = {
  readonly action: "ended" | "missing" | "already-ended" | "not-yet";
  readonly state?: string;
  readonly comment?: CanaryCommentAction;
};

/**
 * Ends a canary's window: judges every watched column over the whole window, posts the closing
 * comment (a clean window says so briefly unless `canary.quiet`; a window without signals says it
 * cannot tell; a regression already commented is not repeated) and stores the outcome once. The
 * comment is written before the outcome is stored, so a failed comment retries the job.
 */
export async function endCanaryWindow(target: RepoTarget & { id: string }): Promise<EndCanaryResult> {
  const { deps, log } = target;
  const canary = await deps.store.canaries.get(target.id);
  if (!canary) return { action: "missing" };
  if (canary.ended) return { action: "already-ended", state: canary.state };
  const now = deps.clock();
  if (now < canary.windowEnds) return { action: "not-yet" };
  const config = await configOrDefaults(target, "the canary ends");
  const report = await readCanaryReport({ store: deps.store, canary, config, now });
  const outcome = canary.state === "regressed" ? "regressed" : canaryOutcomeOf(report);
  // A regression was commented when it was attributed; the end of its window adds nothing.
  const comment =
    outcome === "regressed" && canary.state === "regressed"
      ? ("none" as const)
      : config.canary === "off"
        ? ("none" as const)
        : await writeCanaryComment({ ...target, canary, report });
  const ended = await deps.store.canaries.end({
    id: canary.id,
    state: outcome,
    summary: report.summary,
    now,
  });
  if (ended) await enqueueDashboardRefresh({ store: deps.store, repo: canary.repo, now });
  log.info(
    { repo: canary.repo, pr: canary.pr, outcome, comment, watched: report.watched },
    "canary window ended",
  );
  return { action: ended ? "ended" : "already-ended", state: outcome, comment };
}
