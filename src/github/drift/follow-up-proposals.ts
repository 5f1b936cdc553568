import { shouldAutoPropose } from "../../core/proposals/should-auto-propose.js";
import type { Finding } from "../../core/triage/triage-signal.js";
import { noteFindingResolved } from "../proposals/note-finding-resolved.js";
import { enqueueOpenProposal, type OpenProposalPayload } from "../proposals/open-proposal-job.js";
import type { TriageRun } from "./triage-run.js";

/**
 * What a drift decision means for proposals: a newly opened finding gets a proposal queued when the
 * repository opts into `proposals.mode: auto` for it; a recovered finding has its open proposal PRs noted.
 */
export async function followUpProposals(input: {
  run: TriageRun;
  finding: Finding;
  opened: boolean;
  issueNumber: number | null;
  now: Date;
}): Promise<void> {
  const { run, finding } = input;
  const repo = finding.repo;
  if (finding.decision === "resolve") {
    await noteFindingResolved({
      octokit: run.octokit,
      deps: run.deps,
      log: run.log,
      repo,
      fingerprint: finding.fingerprint,
    });
    return;
  }
  if (!input.opened || !shouldAutoPropose(run.context.config, finding)) return;
  const payload: OpenProposalPayload = {
    repo,
    fingerprint: finding.fingerprint,
    // Freshness has no SQL fix: the contract's SLA is the proposal.
    kind: finding.kind === "freshness" ? "contract" : "cleansing",
    ...(input.issueNumber ? { issueNumber: input.issueNumber } : {}),
  };
  const created = await enqueueOpenProposal({ store: run.deps.store, payload, now: input.now });
  if (created)
    run.log.info(
      { repo, fingerprint: finding.fingerprint },
      "queued an automatic proposal (proposals.mode: auto)",
    );
}
