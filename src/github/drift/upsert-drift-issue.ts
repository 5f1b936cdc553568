import { createHash } from "node:crypto";
import type { Logger, ProbotOctokit } from "probot";
import {
  type DriftCommentKind,
  findingMarker,
  type RenderedDriftIssue,
  renderDriftComment,
} from "../../core/render/render-drift-issue.js";
import { decideClosedIssue, REOPEN_WINDOW_MS } from "../../core/triage/decide-closed-issue.js";
import type { Finding } from "../../core/triage/triage-signal.js";
import type { BackflowMetrics } from "../../server/metrics.js";
import type { FindingRecord } from "../../store/store.js";
import { postComment } from "../writers/ensure-comment.js";
import { ensureIssue, ensureIssueClosed, findIssueByMarker } from "../writers/ensure-issue.js";
import { type CallCounter, createGitHubWriter, type GitHubWriter } from "../writers/github-writer.js";

export type DriftIssueAction =
  | "created"
  | "updated"
  | "unchanged"
  | "reopened"
  | "closed"
  | "declined"
  | "none"
  | "dry-run";

export type DriftIssueOutcome = {
  readonly action: DriftIssueAction;
  readonly number: number | null;
  readonly bodyHash: string | null;
  readonly commented: boolean;
};

export type DriftIssueTarget = {
  readonly octokit: ProbotOctokit;
  readonly log: Logger;
  readonly owner: string;
  readonly repo: string;
  readonly api: CallCounter;
  readonly finding: Finding;
  readonly record: FindingRecord | null;
  /** The drift label from config (`labels.drift`). */
  readonly label: string;
  readonly now: Date;
  /** Log the exact payloads instead of writing. */
  readonly dryRun?: boolean;
  readonly deps?: { readonly metrics?: BackflowMetrics };
};

/** What the issue should say; `previousIssue` is set when a new issue replaces a long-closed one. */
export type DriftIssueDesire = DriftIssueTarget & {
  readonly render: (previousIssue?: number) => RenderedDriftIssue;
  /** The comment this breach deserves on an issue that stays open, if any. */
  readonly comment: DriftCommentKind | null;
  /** Users to assign when the issue is created (resolved lazily: it costs requests). */
  readonly assignees: () => Promise<string[]>;
};

/** Hash of what a reader sees; an unchanged rendering is not sent again. */
export function issueHash(issue: RenderedDriftIssue): string {
  return createHash("sha256").update(`${issue.title}\u0000${issue.body}`).digest("hex");
}

function writerOf(target: DriftIssueTarget): GitHubWriter {
  const metrics = target.deps?.metrics;
  return createGitHubWriter({
    octokit: target.octokit,
    owner: target.owner,
    repo: target.repo,
    log: target.log,
    dryRun: target.dryRun ?? false,
    api: target.api,
    ...(metrics ? { metrics } : {}),
  });
}

/** Where the finding's issue is: the number the store knows, else by marker among drift-labelled issues. */
function searchOf(target: DriftIssueTarget) {
  return {
    marker: findingMarker(target.finding.fingerprint),
    knownNumber: target.record?.issueNumber ?? null,
    label: target.label,
    closedSince: new Date(target.now.getTime() - REOPEN_WINDOW_MS),
  };
}

/**
 * Makes the finding's one issue open and current: updates it (and comments when `comment` says so),
 * and for a closed one does what the reopen policy (decideClosedIssue) says: reopen it, open a new
 * one linking it, or leave a person's "not planned" close alone.
 */
export async function upsertDriftIssue(desire: DriftIssueDesire): Promise<DriftIssueOutcome> {
  const { record, finding } = desire;
  // Nothing new to say on an issue we know is open: no request at all.
  const unchanged = record?.state === "open" && record.bodyHash === issueHash(desire.render());
  if (unchanged && record?.issueNumber && !desire.comment)
    return { action: "unchanged", number: record.issueNumber, bodyHash: record.bodyHash, commented: false };
  const writer = writerOf(desire);
  const found = (await findIssueByMarker(writer, searchOf(desire))) ?? null;
  const written = await ensureIssue(writer, {
    ...searchOf(desire),
    found,
    desired: (previousIssue) => ({
      ...desire.render(previousIssue),
      labels: [desire.label],
      labelDescription: "A downstream data signal Backflow traced to this repository",
      assignees: desire.assignees,
    }),
    onClosed: (issue) =>
      decideClosedIssue({ ...issue, thresholdFrom: finding.threshold.from, now: desire.now }),
  });
  const number = written.number ?? found?.number ?? null;
  const fields = { repo: `${desire.owner}/${desire.repo}`, issue: number, fingerprint: finding.fingerprint };
  if (written.action === "left-closed") {
    desire.log.info(fields, "drift issue was closed as not planned recently; leaving it closed");
    return { action: "declined", number, bodyHash: null, commented: false };
  }
  if (written.action === "dry-run")
    return { action: "dry-run", number: record?.issueNumber ?? null, bodyHash: null, commented: false };
  const bodyHash = issueHash(desire.render(written.replaces));
  if (written.action === "created") {
    desire.log.info({ ...fields, previousIssue: written.replaces }, "opened drift issue");
    return { action: "created", number, bodyHash, commented: false };
  }
  const kind = written.action === "reopened" ? "reopened" : desire.comment;
  if (kind && number !== null)
    await postComment(writer, { issueNumber: number, body: renderDriftComment(kind, finding) });
  if (written.action === "reopened") desire.log.info(fields, "reopened drift issue");
  return {
    action:
      written.action === "reopened" ? "reopened" : written.action === "updated" ? "updated" : "unchanged",
    number,
    bodyHash,
    commented: kind !== null,
  };
}

/** Closes the finding's open issue with a comment saying what recovered (state reason `completed`). */
export async function closeDriftIssue(target: DriftIssueTarget): Promise<DriftIssueOutcome> {
  const known = target.record?.issueNumber ?? null;
  const closed = await ensureIssueClosed(writerOf(target), {
    ...searchOf(target),
    comment: renderDriftComment("resolved", target.finding),
  });
  const number = closed.number ?? known;
  if (closed.action === "dry-run") return { action: "dry-run", number, bodyHash: null, commented: false };
  if (closed.action === "none")
    return { action: "none", number, bodyHash: target.record?.bodyHash ?? null, commented: false };
  target.log.info({ issue: number, fingerprint: target.finding.fingerprint }, "closed drift issue");
  return { action: "closed", number, bodyHash: target.record?.bodyHash ?? null, commented: true };
}
