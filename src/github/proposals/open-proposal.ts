import { GitHubWriteError } from "../../core/errors.js";
import { downstreamTables } from "../../core/lineage/trace.js";
import type { FileEdit, ProposalKind } from "../../core/proposals/file-edit.js";
import { unifiedDiff } from "../../core/proposals/unified-diff.js";
import { codeBlock, escapeMarkdown } from "../../core/render/escape-markdown.js";
import { renderProposal } from "../../core/render/render-proposal.js";
import type { RepoTarget } from "../app-deps.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { postComment } from "../writers/ensure-comment.js";
import { ensureProposalPr, findBranchPr } from "../writers/ensure-proposal-pr.js";
import { writerFor } from "../writers/github-writer.js";
import { buildProposalFor } from "./build-proposal-for.js";
import { type DefaultBranchSnapshot, loadDefaultBranch } from "./load-default-branch.js";
import { getProposalRecord, proposalBranch, putProposalRecord } from "./proposal-record.js";
import { PROPOSAL_TRAILER, writeProposalBranch } from "./write-proposal-branch.js";

export type OpenProposalInput = RepoTarget & {
  readonly fingerprint: string;
  readonly kind: ProposalKind;
  readonly issueNumber?: number;
  readonly commitSha?: string;
  readonly direction?: "tighten" | "relax";
  /** The app's bot login (`<slug>[bot]`): only its commits on the branch may be overwritten. */
  readonly botLogin?: string;
  /** The job's abort signal: loading and lineage stop when it fires, and nothing is written. */
  readonly signal?: AbortSignal;
};

export type OpenProposalResult = {
  readonly action: "created" | "updated" | "unchanged" | "refused" | "human-owned" | "dry-run";
  readonly branch?: string;
  readonly pr?: number;
  readonly reason?: string;
};

async function loadFinding(input: OpenProposalInput) {
  const full = input.repoKey;
  const record = await input.deps.store.findings.get({ repo: full, fingerprint: input.fingerprint });
  if (!record)
    throw new GitHubWriteError(
      `no finding ${input.fingerprint.slice(0, 8)} is known in ${full}; propose from a drift issue Backflow opened`,
    );
  return record;
}

async function comment(input: OpenProposalInput, issue: number | undefined, body: string): Promise<void> {
  if (issue === undefined) return;
  await postComment(writerFor(input), { issueNumber: issue, body });
}

/** Under the branch lease: the branch, the PR, the issue link and the record. */
async function writeProposal(args: {
  input: OpenProposalInput;
  base: DefaultBranchSnapshot;
  branch: string;
  issueNumber: number | undefined;
  edits: readonly FileEdit[];
  message: string;
  pr: { title: string; body: string; labels: string[] };
}): Promise<OpenProposalResult> {
  const { input, base, branch, issueNumber, edits } = args;
  const { deps, log, owner, repo, kind } = input;
  const fields = { repo: `${owner}/${repo}`, fingerprint: input.fingerprint, kind, branch };
  const writer = writerFor(input);
  const written = await writeProposalBranch({
    writer,
    branch,
    base,
    edits,
    message: args.message,
    botLogin: input.botLogin,
  });
  if (written.action === "human-owned") {
    const pr = await findBranchPr(writer, branch);
    const diff = edits.map((e) => unifiedDiff(e.before, e.after, e.path)).join("");
    const shas = written.commits.map((c) => c.slice(0, 7)).join(", ");
    await comment(
      input,
      pr?.number ?? issueNumber,
      `Someone pushed to \`${branch}\` (${shas}), so Backflow left the branch alone. The edit it would make now:\n\n${codeBlock(diff, "diff")}`,
    );
    log.info(fields, "proposal branch has commits by a person; commented instead of overwriting");
    return { action: "human-owned", branch, pr: pr?.number };
  }
  const pr = await ensureProposalPr(writer, { branch, baseBranch: base.branch, ...args.pr });
  // Dry run returns before the lease (see openProposal), so every write here was sent.
  if (written.action === "dry-run" || pr.number === undefined)
    throw new GitHubWriteError(`the proposal on ${branch} was not written (dry run reached the writer)`);
  if (pr.action === "created")
    await comment(
      input,
      issueNumber,
      `Backflow opened draft PR #${pr.number} with a proposed ${kind} change for this finding.`,
    );
  const known = await getProposalRecord(deps.store, input.repoKey, input.fingerprint, kind);
  await putProposalRecord({
    store: deps.store,
    repo: input.repoKey,
    fingerprint: input.fingerprint,
    record: { ...known, kind, branch, pr: pr.number, issueNumber },
    now: deps.clock(),
  });
  log.info(
    { ...fields, pr: pr.number, branchAction: written.action, prAction: pr.action },
    "proposal written",
  );
  const unchanged = written.action === "unchanged" && pr.action === "unchanged";
  return {
    action: unchanged ? "unchanged" : pr.action === "created" ? "created" : "updated",
    branch,
    pr: pr.number,
  };
}

/**
 * Opens (or refreshes) the draft PR of a proposal for a finding: computes the edit on the default
 * branch, commits it to `backflow/fix/<fp8>` or `backflow/revert/<sha8>`, opens a labelled draft PR
 * that links the drift issue, and comments on the issue. Idempotent and serialized per branch; a
 * branch someone else pushed to is never overwritten (the PR gets a comment instead).
 */
export async function openProposal(input: OpenProposalInput): Promise<OpenProposalResult> {
  const { octokit, deps, log, owner, repo, kind } = input;
  const record = await loadFinding(input);
  const finding = record.finding;
  const issueNumber = input.issueNumber ?? record.issueNumber ?? undefined;
  const signal = input.signal;
  const base = await loadDefaultBranch({
    octokit,
    store: deps.store,
    owner,
    repo,
    ...(signal ? { signal } : {}),
  });
  const built = await buildProposalFor({ ...input, store: deps.store, base, finding });
  const { proposal, config, graph } = built;
  if (proposal.edits.length === 0) {
    log.info(
      { repo: `${owner}/${repo}`, fingerprint: input.fingerprint, kind, reason: proposal.rationale },
      "no proposal: nothing safe to edit",
    );
    await comment(
      input,
      input.issueNumber,
      `Backflow could not propose a ${kind} change: ${escapeMarkdown(proposal.rationale)}.`,
    );
    return { action: "refused", reason: proposal.rationale };
  }
  const branch = proposalBranch({ kind, fingerprint: input.fingerprint, commitSha: input.commitSha });
  const consumers = finding.tableId ? downstreamTables(graph, finding.tableId) : [];
  const { title, body } = renderProposal({ proposal, finding, issueNumber, consumers });
  const labels = [config.labels.proposal, ...(proposal.breaking ? [config.labels.breaking] : [])];
  const message = `${proposal.title}\n\n${proposal.rationale}\n\n${PROPOSAL_TRAILER} ${input.fingerprint} ${kind}`;
  if (deps.dryRun) {
    log.info(
      { payload: { branch, title, body, labels, message, edits: proposal.edits.map((e) => e.path) } },
      "dry run: would open proposal",
    );
    return { action: "dry-run", branch };
  }
  const outcome = await withLease(
    {
      store: deps.store,
      name: `proposal:${input.repoKey}:${branch}`,
      owner: leaseOwner("proposal"),
      clock: deps.clock,
    },
    () =>
      writeProposal({
        input,
        base,
        branch,
        issueNumber,
        edits: proposal.edits,
        message,
        pr: { title, body, labels },
      }),
  );
  if (!outcome.acquired)
    throw new GitHubWriteError(`another run is writing ${branch} in ${owner}/${repo}; the job will retry`);
  return outcome.value;
}
