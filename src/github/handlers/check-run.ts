import type { Context } from "probot";
import type { AppDeps } from "../app-deps.js";
import { acknowledgeImpact } from "../impact/acknowledge-impact.js";
import { ACK_ACTION } from "../impact/write-impact-check.js";
import { IMPACT_CHECK_NAME } from "../services/plan-impact-check.js";

/** A button pressed on one of Backflow's check runs: today, acknowledging a breaking change. */
export function handleCheckRunRequestedAction(deps: AppDeps) {
  return async (context: Context<"check_run.requested_action">): Promise<void> => {
    const { check_run: run, requested_action: action, sender } = context.payload;
    const { owner, repo } = context.repo();
    const fields = {
      repo: `${owner}/${repo}`,
      checkRunId: run.id,
      headSha: run.head_sha,
      login: sender.login,
    };
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
    await acknowledgeImpact({
      octokit: context.octokit,
      deps,
      log: context.log,
      owner,
      repo,
      headSha: run.head_sha,
      login: sender.login,
    });
  };
}
