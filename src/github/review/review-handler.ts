import { handleJob, type JobHandler } from "../../jobs/queue.js";
import { type JobHandlerInput, repoTargetOf } from "../jobs/installation-octokit.js";
import { publishReview } from "./publish-review.js";
import { reviewJob } from "./review-job.js";

/** The worker's handler for `review` jobs; a failed write rethrows, so the job retries. */
export function reviewHandler(input: JobHandlerInput): [string, JobHandler] {
  return handleJob(reviewJob, async (payload) => {
    const target = await repoTargetOf(input, payload.repo, payload.installationId);
    await publishReview({
      ...target,
      ...(payload.installationId !== undefined ? { installationId: payload.installationId } : {}),
    });
  });
}
