import type { CommandOf } from "../../core/commands/command-schema.js";
import { enqueueJob } from "../../jobs/queue.js";
import { openProposalJob, openProposalJobKey } from "../proposals/open-proposal-job.js";
import { type CommandContext, type CommandResult, done } from "./command-context.js";
import { findingOfIssue } from "./execute-finding-command.js";

/**
 * `/backflow propose [kind]` on a drift issue: queues the proposal job, which opens (or refreshes)
 * a draft pull request and links it from the issue. Without a kind, a cleansing rule is proposed.
 */
export async function executePropose(
  ctx: CommandContext,
  command: CommandOf<"propose">,
): Promise<CommandResult> {
  const found = await findingOfIssue(ctx, "propose");
  if (!found.ok) return found.result;
  const kind = command.args.kind ?? "cleansing";
  if (kind === "revert") {
    return {
      status: "failed",
      message:
        "A revert needs the commit to undo: run `/backflow rollback` on the merged pull request that caused it.",
    };
  }
  const payload = {
    repo: `${ctx.owner}/${ctx.repo}`,
    installationId: ctx.installationId,
    fingerprint: found.record.fingerprint,
    kind,
    issueNumber: ctx.issue.number,
  };
  const { created } = await enqueueJob(ctx.deps.store, {
    kind: openProposalJob,
    payload,
    idempotencyKey: openProposalJobKey(payload),
    now: ctx.now,
  });
  return done(
    created
      ? `Preparing a **${kind}** proposal; the draft pull request will be linked here.`
      : `A **${kind}** proposal for this finding is already being prepared; its draft pull request will be linked here.`,
  );
}
