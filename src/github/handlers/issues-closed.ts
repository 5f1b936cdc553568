import type { Context } from "probot";
import { z } from "zod";
import type { AppDeps } from "../app-deps.js";
import { findingFingerprintOf } from "../commands/execute-finding-command.js";
import { enqueueDriftIssueState } from "../drift/drift-issue-state-job.js";
import { RepoEventSchema, webhookTargetOf } from "./event-schemas.js";
import { parseEvent } from "./parse-event.js";

/** The issue events this handler learns from. */
export const ISSUE_STATE_EVENTS = ["issues.closed", "issues.reopened"] as const;

const IssueStateEventSchema = RepoEventSchema.extend({
  action: z.enum(["closed", "reopened"]),
  issue: z.object({
    number: z.number().int().positive(),
    body: z.string().nullish(),
    state_reason: z.string().nullish(),
    closed_at: z.string().nullish(),
  }),
});

/**
 * A person closing a Backflow drift issue as not planned teaches Backflow that the values it saw are
 * expected (unless `signals.learnFromClosed` is off); reopening it takes that back. Bots, Backflow
 * included, and other issues are ignored. The job runs under the finding's lease, as triage does.
 */
export function handleIssueStateChange(deps: AppDeps) {
  return async (context: Context<"issues.closed" | "issues.reopened">): Promise<void> => {
    const event = parseEvent(context, IssueStateEventSchema);
    const { issue, sender, action } = event;
    const target = webhookTargetOf(event);
    const fields = { repo: target.repo, issue: issue.number, action };
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
    const created = await enqueueDriftIssueState({
      store: deps.store,
      payload: {
        ...target,
        issueNumber: issue.number,
        fingerprint,
        action,
        actor: sender.login,
        closedAt: issue.closed_at ?? null,
      },
      delivery: context.id,
      now: deps.clock(),
    });
    context.log.info({ ...fields, fingerprint, created }, "queued drift issue state change");
  };
}
