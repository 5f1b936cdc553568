import type { ProbotOctokit } from "probot";
import { GitHubWriteError } from "../../core/errors.js";
import { buildProposal } from "../../core/proposals/build-proposal.js";
import type { Proposal, ProposalKind } from "../../core/proposals/file-edit.js";
import { type ProposalContext, proposalContextFrom } from "../../core/proposals/proposal-context.js";
import { proposeRevert } from "../../core/proposals/propose-revert.js";
import type { Finding } from "../../core/triage/triage-signal.js";
import type { Store } from "../../store/store.js";
import { effectiveConfigAt } from "../load-repo-config.js";
import { buildRepoContext } from "../repo-context/load-repo-context.js";
import { untilAborted } from "../repo-context/until-aborted.js";
import type { DefaultBranchSnapshot } from "./load-default-branch.js";

/**
 * A proposal computed from the default branch, with the config and lineage it used. The lineage is
 * the repository context triage and the impact check build for that commit (on the analysis pool,
 * through the parse cache); `signal` aborts the build, and then no proposal is returned.
 */
export async function buildProposalFor(input: {
  octokit: ProbotOctokit;
  store: Pick<Store, "parseCache">;
  owner: string;
  repo: string;
  base: DefaultBranchSnapshot;
  finding: Finding;
  kind: ProposalKind;
  commitSha?: string;
  direction?: "tighten" | "relax";
  signal?: AbortSignal;
}): Promise<{ proposal: Proposal } & ProposalContext> {
  const { base, finding, signal } = input;
  const { octokit, owner, repo } = input;
  const config = await effectiveConfigAt({
    octokit,
    owner,
    repo,
    sha: base.commit.commit,
    files: base.files,
  });
  const built = await buildRepoContext({
    store: input.store,
    commit: base.commit,
    config,
    ...(signal ? { signal } : {}),
  });
  const context = proposalContextFrom(base.files, built);
  if (input.kind !== "revert") {
    const proposal = buildProposal({ ...context, finding, kind: input.kind, direction: input.direction });
    return { ...context, proposal };
  }
  if (!input.commitSha)
    throw new GitHubWriteError(
      "a revert proposal needs the commit to revert: name it with `/backflow propose revert <sha>`",
    );
  const { data: commit } = await untilAborted(
    input.octokit.rest.repos.getCommit({
      owner: input.owner,
      repo: input.repo,
      ref: input.commitSha,
      ...(signal ? { request: { signal } } : {}),
    }),
    signal,
  );
  signal?.throwIfAborted();
  const suspectFiles = new Set(finding.suspects.flatMap((s) => (s.file ? [s.file] : [])));
  const proposal = proposeRevert({
    commitSha: commit.sha,
    commitTitle: commit.commit.message,
    files: (commit.files ?? []).map((f) => ({ filename: f.filename, patch: f.patch, status: f.status })),
    current: base.files,
    suspectFiles,
  });
  return { ...context, proposal };
}
