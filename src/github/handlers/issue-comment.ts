import type { Context } from "probot";
import { z } from "zod";
import { parseCommands } from "../../core/commands/parse-commands.js";
import type { AppDeps } from "../app-deps.js";
import { enqueueCommentCommands } from "../commands/comment-commands-job.js";
import { RepoEventSchema, UserSchema, webhookTargetOf } from "./event-schemas.js";
import { parseEvent } from "./parse-event.js";

const CommentEventSchema = RepoEventSchema.extend({
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullish(),
    html_url: z.string(),
    user: UserSchema.nullish(),
  }),
  issue: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullish(),
    pull_request: z.unknown().optional(),
  }),
});

/**
 * Queues the `/backflow` commands of a new issue or pull request comment. Edits and deletions are
 * not handled (the event is registered for `created` only), and comments by bots, Backflow
 * included, never run commands. A redelivered comment runs once.
 */
export function handleIssueComment(deps: AppDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const event = parseEvent(context, CommentEventSchema);
    const { comment, issue, sender } = event;
    const target = webhookTargetOf(event);
    const fields = { repo: target.repo, issue: issue.number, comment: comment.id };
    if (sender.type === "Bot" || comment.user?.type === "Bot") {
      context.log.debug(fields, "ignoring comment written by a bot");
      return;
    }
    const body = comment.body ?? "";
    if (parseCommands(body).length === 0) return;
    const created = await enqueueCommentCommands({
      store: deps.store,
      payload: {
        ...target,
        comment: { id: comment.id, body, url: comment.html_url, author: comment.user?.login ?? sender.login },
        issue: {
          number: issue.number,
          title: issue.title,
          body: issue.body ?? "",
          isPullRequest: Boolean(issue.pull_request),
        },
      },
      now: deps.clock(),
    });
    context.log.info({ ...fields, created }, "queued comment commands");
  };
}
