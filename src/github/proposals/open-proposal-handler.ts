import type { Logger, ProbotOctokit } from "probot";
import { ConfigError, GitHubWriteError } from "../../core/errors.js";
import { PermanentJobError } from "../../jobs/job-errors.js";
import { handleJob, type JobHandler } from "../../jobs/queue.js";
import type { AppDeps } from "../app-deps.js";
import { openProposal } from "./open-proposal.js";
import { openProposalJob } from "./open-proposal-job.js";

/**
 * The worker's handler for `open-proposal` jobs. A bad config or an unknown finding dead-letters the
 * job with the reason; GitHub errors retry with backoff.
 */
export function openProposalHandler(input: {
  deps: AppDeps;
  log: Logger;
  octokitFor: (repo: string) => Promise<ProbotOctokit>;
  botLogin?: string;
}): [string, JobHandler] {
  return handleJob(openProposalJob, async (payload) => {
    const [owner = "", repo = ""] = payload.repo.split("/");
    const octokit = await input.octokitFor(payload.repo);
    try {
      const { fingerprint, kind, issueNumber, commitSha, direction } = payload;
      await openProposal({
        octokit,
        deps: input.deps,
        log: input.log,
        owner,
        repo,
        botLogin: input.botLogin,
        fingerprint,
        kind,
        issueNumber,
        commitSha,
        direction,
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
