import { handleJob, type JobHandler } from "../../jobs/queue.js";
import { type JobHandlerInput, repoTargetOf } from "../jobs/installation-octokit.js";
import { expectationDeadlineJob } from "./expectation-deadline-job.js";
import { settleAtDeadline } from "./settle-at-deadline.js";

/**
 * The worker's handler for `expectation-deadline` jobs; a failed comment rethrows, so the job retries.
 * @example createWorker({ store, handlers: Object.fromEntries([expectationDeadlineHandler({ deps, log, octokitFor })]), workerId })
 */
export function expectationDeadlineHandler(input: JobHandlerInput): [string, JobHandler] {
  return handleJob(expectationDeadlineJob, async (payload) => {
    await settleAtDeadline({ ...(await repoTargetOf(input, payload.repo)), id: payload.id });
  });
}
