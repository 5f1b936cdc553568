import type { Context } from "probot";
import { parseCommands } from "../../core/commands/parse-commands.js";
import { parseConfig } from "../../core/config/parse-config.js";
import type { AppDeps } from "../app-deps.js";
import type { CommandContext } from "../commands/command-context.js";
import { runCommentCommands } from "../commands/run-comment-commands.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { createRepoReader } from "../repo-reader.js";
import { leaseOwner, withLease } from "../with-lease.js";

/**
 * Runs the `/backflow` commands of a new issue or pull request comment. Edits and deletions are
 * not handled (the event is registered for `created` only), and comments by bots, Backflow
 * included, never run commands. A redelivered comment runs once.
 */
export function handleIssueComment(deps: AppDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { comment, issue, sender } = context.payload;
    const { owner, repo } = context.repo();
    const repoKey = `${owner}/${repo}`.toLowerCase();
    const fields = { repo: repoKey, issue: issue.number, comment: comment.id };
    if (sender.type === "Bot" || comment.user?.type === "Bot") {
      context.log.debug(fields, "ignoring comment written by a bot");
      return;
    }
    const parsed = parseCommands(comment.body ?? "");
    if (parsed.length === 0) return;
    const doneKey = `commands-done:${comment.id}`;
    const outcome = await withLease(
      {
        store: deps.store,
        name: `comment:${repoKey}:${comment.id}`,
        owner: leaseOwner("comment"),
        clock: deps.clock,
      },
      async () => {
        if (await deps.store.repoState.get({ repo: repoKey, key: doneKey })) {
          context.log.debug(fields, "ignoring redelivered comment whose commands already ran");
          return;
        }
        const reader = createRepoReader({ octokit: context.octokit, owner, repo });
        const loaded = await loadRepoConfig({ reader });
        if (!loaded.ok)
          context.log.warn(
            { ...fields, problems: loaded.error.problems },
            "config invalid; commands use the defaults",
          );
        const ctx: CommandContext = {
          octokit: context.octokit,
          deps,
          log: context.log,
          owner,
          repo,
          repoKey,
          actor: comment.user?.login ?? sender.login,
          commentId: comment.id,
          installationId: context.payload.installation?.id ?? 0,
          commentUrl: comment.html_url,
          issue: {
            number: issue.number,
            title: issue.title,
            body: issue.body ?? "",
            isPullRequest: Boolean(issue.pull_request),
          },
          config: loaded.ok ? loaded.config : parseConfig(undefined),
          now: deps.clock(),
        };
        const outcomes = await runCommentCommands(ctx, parsed);
        await deps.store.repoState.put({ repo: repoKey, key: doneKey, value: true, now: deps.clock() });
        context.log.info(
          { ...fields, outcomes: outcomes.map((o) => `${o.command ?? "invalid"}:${o.status}`) },
          "ran comment commands",
        );
      },
    );
    if (!outcome.acquired)
      context.log.warn(fields, "another delivery of this comment is still running its commands");
  };
}
