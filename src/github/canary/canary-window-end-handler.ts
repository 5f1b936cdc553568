import { handleJob, type JobHandler } from "../../jobs/queue.js";
import { type JobHandlerInput, repoTargetOf } from "../jobs/installation-octokit.js";
import { canaryWindowEndJob } from "./canary-window-end-job.js";
import { endCanaryWindow } from "./end-canary-window.js";

/** The worker's handler for `canary-window-end` jobs; a failed comment rethrows, so the job retries. */
export function canaryWindowEndHandler(input: JobHandlerInput): [string, JobHandler] {
  return handleJob(canaryWindowEndJob, async (payload) => {
    await endCanaryWindow({ ...(await repoTargetOf(input, payload.repo)), id: payload.id });
  });
}
