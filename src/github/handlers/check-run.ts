import type { Context } from "probot";
import { z } from "zod";
import type { AppDeps } from "../app-deps.js";
import { enqueueAcknowledgeImpact } from "../impact/acknowledge-impact-job.js";
import { ACK_ACTION } from "../impact/write-impact-check.js";
import { IMPACT_CHECK_NAME } from "../services/plan-impact-check.js";
import { CommitShaSchema, RepoEventSchema, webhookTargetOf } from "./event-schemas.js";
import { parseEvent } from "./parse-event.js";

const CheckRunActionSchema = RepoEventSchema.extend({
  check_run: z.object({ id: z.number().int(), name: z.string(), head_sha: CommitShaSchema }),
  requested_action: z.object({ identifier: z.string() }).nullish(),
});

/** A button pressed on one of Backflow's check runs: today, acknowledging a breaking change (a job checks who). */
export function handleCheckRunRequestedAction(deps: AppDeps) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    const event = parseEvent(context, CheckRunActionSchema);
    const { check_run: run, requested_action: action, sender } = event;
    const target = webhookTargetOf(event);
    const fields = { repo: target.repo, checkRunId: run.id, headSha: run.head_sha, login: sender.login };
    if (action?.identifier !== ACK_ACTION.identifier) {
      context.log.debug({ ...fields, identifier: action?.identifier }, "ignoring unknown check run action");
      return;
    }
    if (run.name !== IMPACT_CHECK_NAME) {
      context.log.debug({ ...fields, name: run.name }, "ignoring action on another check run");
      return;
    }
    if (sender.type === "Bot") {
      context.log.debug(fields, "ignoring acknowledgement sent by a bot");
      return;
    }
    const created = await enqueueAcknowledgeImpact({
      store: deps.store,
      payload: { ...target, headSha: run.head_sha, login: sender.login },
      now: deps.clock(),
    });
    context.log.info({ ...fields, created }, "queued acknowledgement");
  };
}
