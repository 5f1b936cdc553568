import type { Context } from "probot";
import type { z } from "zod";
import { BackflowError } from "../../core/errors.js";

/**
 * A signed webhook whose payload lacks what its event promises (`pull_request` without
 * `pull_request`, a `null` body). `status` makes @octokit/webhooks answer 400 with this message
 * instead of a 500 carrying internal error text.
 */
export class WebhookPayloadError extends BackflowError {
  override readonly name = "WebhookPayloadError";
  readonly status = 400;
}

/**
 * The part of an event's payload a handler uses, validated: the parsed value, or a 400 naming the
 * zod path of the first problem. Handlers read their input from this, never from the raw payload.
 * @example const { pull_request: pr, repo } = parseEvent(context, PullRequestEventSchema);
 */
export function parseEvent<S extends z.ZodType>(
  context: Pick<Context, "name" | "payload">,
  schema: S,
): z.infer<S> {
  const result = schema.safeParse(context.payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") || "(root)";
  throw new WebhookPayloadError(
    `${context.name} payload is invalid at ${path}: ${issue?.message ?? "does not match the event"}`,
  );
}
