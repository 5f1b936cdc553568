import type { Logger, ProbotOctokit } from "probot";
import { repoKeyOf } from "../../core/github/repo-key.js";
import type { AppDeps } from "../app-deps.js";
import { postComment } from "../writers/ensure-comment.js";
import { createGitHubWriter } from "../writers/github-writer.js";
import { getProposalRecord, PROPOSAL_KINDS, putProposalRecord } from "./proposal-record.js";

/**
 * Called by triage when a finding recovers: each open proposal PR for it gets one comment saying the
 * metric recovered without it, and is left for a person to merge or close.
 * @example await noteFindingResolved({ octokit, deps, log, repo: "acme/shop", fingerprint })
 */
export async function noteFindingResolved(input: {
  octokit: ProbotOctokit;
  deps: Pick<AppDeps, "store" | "clock" | "dryRun">;
  log: Logger;
  repo: string;
  fingerprint: string;
}): Promise<number[]> {
  const [owner = "", name = ""] = input.repo.split("/");
  const repoKey = repoKeyOf(input.repo);
  const noted: number[] = [];
  for (const kind of PROPOSAL_KINDS) {
    const record = await getProposalRecord(input.deps.store, repoKey, input.fingerprint, kind);
    if (!record || record.resolvedNoted || record.mergedNoted) continue;
    const { data: pr } = await input.octokit.rest.pulls.get({ owner, repo: name, pull_number: record.pr });
    if (pr.state !== "open") continue;
    const body =
      "The finding this PR answers has recovered without it. Backflow leaves the PR open for a person to decide: merge it to keep the rule, or close it.";
    const writer = createGitHubWriter({ ...input, owner, repo: name, dryRun: input.deps.dryRun ?? false });
    await postComment(writer, { issueNumber: record.pr, body });
    await putProposalRecord({
      store: input.deps.store,
      repo: repoKey,
      fingerprint: input.fingerprint,
      record: { ...record, resolvedNoted: true },
      now: input.deps.clock(),
    });
    noted.push(record.pr);
  }
  return noted;
}
