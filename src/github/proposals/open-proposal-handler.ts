import { ConfigError, GitHubWriteError } from "../../core/errors.js";
import { PermanentJobError } from "../../jobs/job-errors.js";
import { handleJob, type JobHandler } from "../../jobs/queue.js";
import { type JobHandlerInput, repoTargetOf } from "../jobs/installation-octokit.js";
import { openProposal } from "./open-proposal.js";
import { openProposalJob } from "./open-proposal-job.js";

/**
 * The worker's handler for `open-proposal` jobs. A bad config or an unknown finding dead-letters the
 * job with the reason; GitHub errors retry with backoff.
 */
export function openProposalHandler(input: JobHandlerInput & { botLogin?: string }): [string, JobHandler] {
  return handleJob(openProposalJob, async (payload, ctx) => {
    const target = await repoTargetOf(input, payload.repo);
    try {
      const { fingerprint, kind, issueNumber, commitSha, direction } = payload;
      await openProposal({
        ...target,
        // Known, a person's amend that keeps the commit message is never force-overwritten.
        botLogin: input.botLogin ?? (await input.octokitFor.botLogin?.()),
        fingerprint,
        kind,
        issueNumber,
        commitSha,
        direction,
        signal: ctx.signal,
      });
    } catch (error) {
      if (
        error instanceof ConfigError ||
        (error instanceof GitHubWriteError && /no finding|needs the commit/.test(error.message))
      )
        throw new PermanentJobError(
          `cannot open the ${payload.kind} proposal in ${payload.repo}: ${error.message}`,
        );
      throw error;
    }
  });
}
