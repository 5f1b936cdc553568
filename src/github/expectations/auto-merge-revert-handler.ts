import type { Logger } from "probot";
import { handleJob, type JobHandler } from "../../jobs/queue.js";
import type { AppDeps } from "../app-deps.js";
import type { InstallationOctokitFor } from "../jobs/installation-octokit.js";
import { autoMergeRevert } from "./auto-merge-revert.js";
import { autoMergeRevertJob } from "./auto-merge-revert-job.js";

/**
 * The worker's handler for `auto-merge-revert` jobs. The job retries while GitHub computes
 * mergeability; on its last attempt the revert is left for review instead of dead-lettered.
 * @example createWorker({ store, handlers: Object.fromEntries([autoMergeRevertHandler({ deps, log, octokitFor })]), workerId })
 */
export function autoMergeRevertHandler(input: {
  deps: AppDeps;
  log: Logger;
  octokitFor: InstallationOctokitFor;
}): [string, JobHandler] {
  return handleJob(autoMergeRevertJob, async (payload, { job }) => {
    const [owner = "", repo = ""] = payload.repo.split("/");
    await autoMergeRevert({
      octokit: await input.octokitFor(payload.repo),
      deps: input.deps,
      log: input.log,
      owner,
      repo,
      payload,
      lastAttempt: job.attempts >= job.maxAttempts,
    });
  });
}
