import { z } from "zod";
import { parseCommands } from "../../core/commands/parse-commands.js";
import { parseConfig } from "../../core/config/parse-config.js";
import { GitHubWriteError } from "../../core/errors.js";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { defineJobKind, enqueueJob } from "../../jobs/queue.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { WebhookTargetSchema } from "../jobs/installation-octokit.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { leaseOwner, withLease } from "../with-lease.js";
import type { CommandContext } from "./command-context.js";
import { runCommentCommands } from "./run-comment-commands.js";

export const CommentCommandsPayloadSchema = WebhookTargetSchema.extend({
  comment: z.strictObject({
    id: z.number().int().positive(),
    body: z.string(),
    url: z.string(),
    author: z.string().min(1),
  }),
  issue: z.strictObject({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string(),
    isPullRequest: z.boolean(),
  }),
});
export type CommentCommandsPayload = z.infer<typeof CommentCommandsPayloadSchema>;

/** Runs the `/backflow` commands of one issue or pull request comment. */
export const commentCommandsJob = defineJobKind("comment-commands", CommentCommandsPayloadSchema);

/** Queues the comment's commands once per comment. */
export async function enqueueCommentCommands(input: {
  store: Pick<Store, "jobs">;
  payload: CommentCommandsPayload;
  now: Date;
}): Promise<boolean> {
  const { payload } = input;
  const { created } = await enqueueJob(input.store, {
    kind: commentCommandsJob,
    payload,
    idempotencyKey: `comment-commands:${repoKeyOf(payload.repo)}:${payload.comment.id}`,
    now: input.now,
  });
  return created;
}

/**
 * The job: under the comment's lease, and only if its commands have not run yet (a redelivery after
 * the first finished runs nothing), load the config and run the commands.
 */
export async function runCommentCommandsJob(
  target: RepoTarget,
  payload: CommentCommandsPayload,
): Promise<void> {
  const { deps, log, repoKey, octokit, owner, repo } = target;
  const { comment, issue } = payload;
  const fields = { repo: repoKey, issue: issue.number, comment: comment.id };
  const doneKey = `commands-done:${comment.id}`;
  const parsed = parseCommands(comment.body);
  const outcome = await withLease(
    {
      store: deps.store,
      name: `comment:${repoKey}:${comment.id}`,
      owner: leaseOwner("comment"),
      clock: deps.clock,
    },
    async () => {
      if (await deps.store.repoState.get({ repo: repoKey, key: doneKey })) {
        log.debug(fields, "ignoring a comment whose commands already ran");
        return;
      }
      const loaded = await loadRepoConfig({ octokit, owner, repo });
      if (!loaded.ok)
        log.warn({ ...fields, problems: loaded.error.problems }, "config invalid; commands use the defaults");
      const ctx: CommandContext = {
        ...target,
        actor: comment.author,
        commentId: comment.id,
        installationId: payload.installationId,
        commentUrl: comment.url,
        issue,
        config: loaded.ok ? loaded.config : parseConfig(undefined),
        now: deps.clock(),
      };
      const outcomes = await runCommentCommands(ctx, parsed);
      await deps.store.repoState.put({ repo: repoKey, key: doneKey, value: true, now: deps.clock() });
      log.info(
        { ...fields, outcomes: outcomes.map((o) => `${o.command ?? "invalid"}:${o.status}`) },
        "ran comment commands",
      );
    },
  );
  if (!outcome.acquired)
    throw new GitHubWriteError(
      `Another run of comment ${comment.id}'s commands is still going; retrying later.`,
    );
}
