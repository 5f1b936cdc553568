import type { Logger } from "probot";
import { handleJob, type JobHandler } from "../../jobs/queue.js";
import type { AppDeps } from "../app-deps.js";
import type { InstallationOctokitFor } from "../jobs/installation-octokit.js";
import { refreshDashboard } from "./refresh-dashboard.js";
import { refreshDashboardJob } from "./refresh-dashboard-job.js";

/**
 * The worker's handler for `refresh-dashboard` jobs.
 * @example createWorker({ store, handlers: Object.fromEntries([refreshDashboardHandler({ deps, log, octokitFor })]), workerId })
 */
export function refreshDashboardHandler(input: {
  deps: AppDeps;
  log: Logger;
  octokitFor: InstallationOctokitFor;
}): [string, JobHandler] {
  return handleJob(refreshDashboardJob, async ({ repo: fullName }) => {
    const [owner = "", repo = ""] = fullName.split("/");
    await refreshDashboard({
      octokit: await input.octokitFor(fullName),
      deps: input.deps,
      log: input.log,
      owner,
      repo,
    });
  });
}
