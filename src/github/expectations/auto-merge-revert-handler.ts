import { handleJob, type JobHandler } from "../../jobs/queue.js";
import { type JobHandlerInput, repoTargetOf } from "../jobs/installation-octokit.js";
import { autoMergeRevert } from "./auto-merge-revert.js";
import { autoMergeRevertJob } from "./auto-merge-revert-job.js";

/**
 * The worker's handler for `auto-merge-revert` jobs. The job retries while GitHub computes
 * mergeability; on its last attempt the revert is left for review instead of dead-lettered.
 * @example createWorker({ store, handlers: Object.fromEntries([autoMergeRevertHandler({ deps, log, octokitFor })]), workerId })
 */
export function autoMergeRevertHandler(input: JobHandlerInput): [string, JobHandler] {
  return handleJob(autoMergeRevertJob, async (payload, { job }) => {
    await autoMergeRevert({
      ...(await repoTargetOf(input, payload.repo)),
      payload,
      lastAttempt: job.attempts >= job.maxAttempts,
    });
  });
}
