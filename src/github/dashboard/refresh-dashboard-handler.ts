import { handleJob, type JobHandler } from "../../jobs/queue.js";
import { type JobHandlerInput, repoTargetOf } from "../jobs/installation-octokit.js";
import { refreshDashboard } from "./refresh-dashboard.js";
import { refreshDashboardJob } from "./refresh-dashboard-job.js";

/**
 * The worker's handler for `refresh-dashboard` jobs.
 * @example createWorker({ store, handlers: Object.fromEntries([refreshDashboardHandler({ deps, log, octokitFor })]), workerId })
 */
export function refreshDashboardHandler(input: JobHandlerInput): [string, JobHandler] {
  return handleJob(refreshDashboardJob, async ({ repo }) => {
    await refreshDashboard(await repoTargetOf(input, repo));
  });
}
