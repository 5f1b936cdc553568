import type { ProbotOctokit } from "probot";
import type { BackflowConfig } from "../../core/config/schema.js";
import { GitHubWriteError } from "../../core/errors.js";
import type { LineageGraph } from "../../core/lineage/schema.js";
import { buildProposal } from "../../core/proposals/build-proposal.js";
import type { Proposal, ProposalKind } from "../../core/proposals/file-edit.js";
import { proposalContextOf } from "../../core/proposals/proposal-context.js";
import { proposeRevert } from "../../core/proposals/propose-revert.js";
import type { Finding } from "../../core/triage/triage-signal.js";

/** A proposal computed from the default branch's files, with the config and lineage it used. */
export async function buildProposalFor(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  files: ReadonlyMap<string, string>;
  finding: Finding;
  kind: ProposalKind;
  commitSha?: string;
  direction?: "tighten" | "relax";
}): Promise<{ proposal: Proposal; config: BackflowConfig; graph: LineageGraph }> {
  const { files, finding } = input;
  const context = proposalContextOf(files);
  const { config, graph } = context;
  if (input.kind !== "revert") {
    const proposal = buildProposal({ ...context, finding, kind: input.kind, direction: input.direction });
    return { proposal, config, graph };
  }
  if (!input.commitSha)
    throw new GitHubWriteError(
      "a revert proposal needs the commit to revert: name it with `/backflow propose revert <sha>`",
    );
  const { data: commit } = await input.octokit.rest.repos.getCommit({
    owner: input.owner,
    repo: input.repo,
    ref: input.commitSha,
  });
  const suspectFiles = new Set(finding.suspects.flatMap((s) => (s.file ? [s.file] : [])));
  const proposal = proposeRevert({
    commitSha: commit.sha,
    commitTitle: commit.commit.message,
    files: (commit.files ?? []).map((f) => ({ filename: f.filename, patch: f.patch, status: f.status })),
    current: files,
    suspectFiles,
  });
  return { proposal, config, graph };
}
