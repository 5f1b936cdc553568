import type { Logger } from "probot";
import { handleJob, type JobHandler } from "../../jobs/queue.js";
import type { AppDeps } from "../app-deps.js";
import type { InstallationOctokitFor } from "../jobs/installation-octokit.js";
import { expectationDeadlineJob } from "./expectation-deadline-job.js";
import { settleAtDeadline } from "./settle-at-deadline.js";

/**
 * The worker's handler for `expectation-deadline` jobs; a failed comment rethrows, so the job retries.
 * @example createWorker({ store, handlers: Object.fromEntries([expectationDeadlineHandler({ deps, log, octokitFor })]), workerId })
 */
export function expectationDeadlineHandler(input: {
  deps: AppDeps;
  log: Logger;
  octokitFor: InstallationOctokitFor;
}): [string, JobHandler] {
  return handleJob(expectationDeadlineJob, async (payload) => {
    const [owner = "", repo = ""] = payload.repo.split("/");
    await settleAtDeadline({
      octokit: await input.octokitFor(payload.repo),
      deps: input.deps,
      log: input.log,
      owner,
      repo,
      id: payload.id,
    });
  });
}
