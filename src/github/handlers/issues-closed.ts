import type { Context } from "probot";
import { parseConfig } from "../../core/config/parse-config.js";
import { GitHubWriteError } from "../../core/errors.js";
import type { AppDeps } from "../app-deps.js";
import { findingFingerprintOf } from "../commands/execute-finding-command.js";
import { forgetReopenedIssue, learnFromClosedIssue } from "../drift/learn-from-closed-issue.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { createRepoReader } from "../repo-reader.js";
import { leaseOwner, withLease } from "../with-lease.js";

/** The issue events this handler learns from. */
export const ISSUE_STATE_EVENTS = ["issues.closed", "issues.reopened"] as const;

/**
 * A person closing a Backflow drift issue as not planned teaches Backflow that the values it saw are
 * expected (unless `signals.learnFromClosed` is off); reopening it takes that back. Bots, Backflow
 * included, and other issues are ignored. Runs under the finding's lease, as triage does.
 */
export function handleIssueStateChange(deps: AppDeps) {
  return async (context: Context<"issues.closed" | "issues.reopened">): Promise<void> => {
    const { issue, sender, action } = context.payload;
    const { owner, repo } = context.repo();
    const repoKey = `${owner}/${repo}`.toLowerCase();
    const fields = { repo: repoKey, issue: issue.number, action };
    const fingerprint = findingFingerprintOf(issue.body ?? "");
    if (!fingerprint) return;
    if (sender.type === "Bot") {
      context.log.debug(fields, "ignoring a drift issue closed or reopened by a bot");
      return;
    }
    if (action === "closed" && issue.state_reason !== "not_planned") {
      context.log.debug(fields, "drift issue closed as completed; nothing to learn");
      return;
    }
    const target = { octokit: context.octokit, deps, log: context.log, owner, repo, repoKey, fingerprint };
    const run = async () => {
      const common = { ...target, issueNumber: issue.number, actor: sender.login };
      if (action === "reopened") return (await forgetReopenedIssue(common)) ? "unlearned" : "nothing to undo";
      const loaded = await loadRepoConfig({
        reader: createRepoReader({ octokit: context.octokit, owner, repo }),
      });
      if (!loaded.ok)
        context.log.warn(
          { ...fields, problems: loaded.error.problems },
          "config invalid; using the defaults",
        );
      const config = loaded.ok ? loaded.config : parseConfig(undefined);
      if (!config.signals.learnFromClosed) return "learning is off (signals.learnFromClosed: false)";
      const closedAt = issue.closed_at ?? deps.clock().toISOString();
      return learnFromClosedIssue({ ...common, config, closedAt });
    };
    const outcome = await withLease(
      {
        store: deps.store,
        name: `finding:${repoKey}:${fingerprint}`,
        owner: leaseOwner("issue-state"),
        clock: deps.clock,
        ttlMs: 120_000,
        waitMs: 60_000,
      },
      run,
    );
    if (!outcome.acquired)
      throw new GitHubWriteError(
        `Finding ${fingerprint.slice(0, 12)} stayed busy with another job; redeliver this issues event.`,
      );
    context.log.info({ ...fields, fingerprint, outcome: outcome.value }, "handled drift issue state change");
  };
}
