import type { Logger, ProbotOctokit } from "probot";
import { repoKeyOf } from "../../core/github/repo-key.js";
import type { AppDeps } from "../app-deps.js";
import { postComment } from "../writers/ensure-comment.js";
import { createGitHubWriter } from "../writers/github-writer.js";
import { getProposalRecord, parseProposalMarker, putProposalRecord } from "./proposal-record.js";

/**
 * For a closed pull request: when it is a merged Backflow proposal (its body carries the marker), the
 * drift issue gets one comment that the fix is merged and Backflow now waits for the metric to recover.
 * Returns the issue commented on, if any.
 */
export async function onProposalMerged(input: {
  octokit: ProbotOctokit;
  deps: Pick<AppDeps, "store" | "clock" | "dryRun">;
  log: Logger;
  owner: string;
  repo: string;
  pullRequest: { readonly number: number; readonly merged?: boolean | null; readonly body?: string | null };
}): Promise<number | undefined> {
  const { pullRequest: pr, owner, repo } = input;
  const marker = parseProposalMarker(pr.body);
  if (!pr.merged || !marker) return undefined;
  const full = repoKeyOf(owner, repo);
  const record = await getProposalRecord(input.deps.store, full, marker.fingerprint, marker.kind);
  if (record?.mergedNoted) return undefined;
  const finding =
    record?.issueNumber === undefined
      ? await input.deps.store.findings.get({ repo: full, fingerprint: marker.fingerprint })
      : null;
  const issue = record?.issueNumber ?? finding?.issueNumber ?? undefined;
  if (issue === undefined) return undefined;
  const body = `The proposed ${marker.kind} fix was merged in #${pr.number}. Backflow keeps watching this finding and closes the issue once the metric recovers.`;
  const writer = createGitHubWriter({ ...input, owner, repo, dryRun: input.deps.dryRun ?? false });
  await postComment(writer, { issueNumber: issue, body });
  await putProposalRecord({
    store: input.deps.store,
    repo: full,
    fingerprint: marker.fingerprint,
    record: {
      kind: marker.kind,
      branch: record?.branch ?? "",
      pr: pr.number,
      ...record,
      issueNumber: issue,
      mergedNoted: true,
    },
    now: input.deps.clock(),
  });
  input.log.info(
    { repo: full, pr: pr.number, issue, fingerprint: marker.fingerprint },
    "proposal merged; noted on the drift issue",
  );
  return issue;
}
