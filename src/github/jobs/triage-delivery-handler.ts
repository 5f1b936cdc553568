import type { Logger } from "probot";
import { ConfigError } from "../../core/errors.js";
import { PermanentJobError } from "../../jobs/job-errors.js";
import { handleJob, type JobHandler } from "../../jobs/queue.js";
import { triageDeliveryJob } from "../../server/signals/triage-delivery-job.js";
import type { AppDeps } from "../app-deps.js";
import { triageDelivery } from "../drift/triage-delivery.js";
import type { InstallationOctokitFor } from "./installation-octokit.js";

/**
 * The worker's handler for `triage-delivery` jobs: triage the stored delivery and write its drift
 * issues. An invalid repository config dead-letters the job with the problems (fix the file, then
 * `backflow jobs retry <id>`); other failures retry with backoff.
 * @example createWorker({ store, handlers: Object.fromEntries([triageDeliveryHandler({ deps, log, octokitFor })]), workerId })
 */
export function triageDeliveryHandler(input: {
  deps: AppDeps;
  log: Logger;
  octokitFor: InstallationOctokitFor;
}): [string, JobHandler] {
  return handleJob(triageDeliveryJob, async (payload, ctx) => {
    const octokit = await input.octokitFor(payload.repo);
    try {
      await triageDelivery({ octokit, deps: input.deps, log: input.log, ...payload, signal: ctx.signal });
    } catch (error) {
      if (error instanceof ConfigError) {
        throw new PermanentJobError(
          `cannot triage signals for ${payload.repo}: ${error.message}\nFix the file on the default branch, then retry this job with \`backflow jobs retry\`.`,
        );
      }
      throw error;
    }
  });
}
