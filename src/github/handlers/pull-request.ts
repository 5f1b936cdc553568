import type { Context } from "probot";
import { CONFIG_PATH } from "../../core/config/schema.js";
import type { AppDeps } from "../app-deps.js";
import { runImpactCheck } from "../impact/run-impact-check.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { createRepoReader } from "../repo-reader.js";
import { planImpactCheck } from "../services/plan-impact-check.js";
import { upsertCheckRun } from "../writers/upsert-check-run.js";

/**
 * The pull request actions after which the head SHA needs an impact check run. `edited` counts only
 * when the body (its `expects:` block) or the base branch changed; a title edit changes nothing.
 */
export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
] as const;

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

/** True for an edit that cannot change the check run: neither the body nor the base branch changed. */
function isIrrelevantEdit(payload: PullRequestContext["payload"]): boolean {
  if (payload.action !== "edited") return false;
  // A new base is a different comparison for the same head SHA, so it is analysed again too.
  return !payload.changes.body && !payload.changes.base;
}

/** Writes the "Backflow: contract impact" check run for the pull request's head SHA. */
export function handlePullRequest(deps: AppDeps) {
  return async (context: PullRequestContext): Promise<void> => {
    // Bots' pull requests are checked too: a Renovate bump or Backflow's own revert needs the same
    // review, and `rollback: auto` merges a revert only on a green impact check.
    const { pull_request: pr } = context.payload;
    const { owner, repo } = context.repo();
    const fields = { repo: `${owner}/${repo}`, pr: pr.number, headSha: pr.head.sha };
    if (isIrrelevantEdit(context.payload)) {
      context.log.debug(fields, "ignoring pull request edit that changes neither body nor base");
      return;
    }
    if (pr.draft) {
      context.log.debug(fields, "ignoring draft pull request until it is ready for review");
      return;
    }
    if (pr.state !== "open") {
      context.log.debug(fields, "ignoring pull request that is not open");
      return;
    }
    const reader = createRepoReader({ octokit: context.octokit, owner, repo });
    const config = await loadRepoConfig({ reader, ref: pr.head.sha });
    if (config.ok) {
      await runImpactCheck({
        octokit: context.octokit,
        deps,
        log: context.log,
        owner,
        repo,
        pr: pr.number,
        baseSha: pr.base.sha,
        headSha: pr.head.sha,
        prBody: pr.body ?? null,
      });
      return;
    }
    context.log.warn({ ...fields, problems: config.error.problems }, "config at head is invalid");
    const content = await planImpactCheck({
      config,
      changesConfig: async () =>
        (await reader.compare(pr.base.sha, pr.head.sha)).some(
          (file) => file.path === CONFIG_PATH || file.previousPath === CONFIG_PATH,
        ),
    });
    await upsertCheckRun({
      octokit: context.octokit,
      deps,
      log: context.log,
      owner,
      repo,
      headSha: pr.head.sha,
      content,
    });
  };
}
