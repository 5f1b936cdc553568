import { createHash } from "node:crypto";
import type { Logger, ProbotOctokit } from "probot";
import {
  type DriftCommentKind,
  findingMarker,
  type RenderedDriftIssue,
  renderDriftComment,
} from "../../core/render/render-drift-issue.js";
import type { Finding } from "../../core/triage/triage-signal.js";
import type { FindingRecord } from "../../store/store.js";
import type { ApiCounter } from "../impact/load-snapshots.js";
import { type DriftIssue, findDriftIssue } from "./find-drift-issue.js";
import { ensureLabel } from "./issue-people.js";

/** A closed drift issue is reopened by a new breach within this window; later, a new issue links it. */
export const REOPEN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

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
  readonly api: ApiCounter;
  readonly finding: Finding;
  readonly record: FindingRecord | null;
  /** The drift label from config (`labels.drift`). */
  readonly label: string;
  readonly now: Date;
  /** Log the exact payloads instead of writing. */
  readonly dryRun?: boolean;
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

function locate(target: DriftIssueTarget): Promise<DriftIssue | undefined> {
  return findDriftIssue({
    octokit: target.octokit,
    owner: target.owner,
    repo: target.repo,
    knownNumber: target.record?.issueNumber ?? null,
    marker: findingMarker(target.finding.fingerprint),
    label: target.label,
    closedSince: new Date(target.now.getTime() - REOPEN_WINDOW_MS),
    api: target.api,
  });
}

async function comment(target: DriftIssueTarget, issue: number, body: string): Promise<void> {
  target.api.calls++;
  await target.octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: issue,
    body,
  });
}

async function create(desire: DriftIssueDesire, previousIssue?: number): Promise<DriftIssueOutcome> {
  const { octokit, owner, repo, api } = desire;
  const rendered = desire.render(previousIssue);
  await ensureLabel({ octokit, owner, repo, name: desire.label, api });
  const assignees = await desire.assignees();
  api.calls++;
  const { data } = await octokit.rest.issues.create({
    owner,
    repo,
    title: rendered.title,
    body: rendered.body,
    labels: [desire.label],
    ...(assignees.length > 0 ? { assignees } : {}),
  });
  desire.log.info(
    { repo: `${owner}/${repo}`, issue: data.number, fingerprint: desire.finding.fingerprint, previousIssue },
    "opened drift issue",
  );
  return { action: "created", number: data.number, bodyHash: issueHash(rendered), commented: false };
}

async function reopen(desire: DriftIssueDesire, issue: DriftIssue): Promise<DriftIssueOutcome> {
  const rendered = desire.render();
  desire.api.calls++;
  await desire.octokit.rest.issues.update({
    owner: desire.owner,
    repo: desire.repo,
    issue_number: issue.number,
    state: "open",
    title: rendered.title,
    body: rendered.body,
  });
  await comment(desire, issue.number, renderDriftComment("reopened", desire.finding));
  desire.log.info({ issue: issue.number, fingerprint: desire.finding.fingerprint }, "reopened drift issue");
  return { action: "reopened", number: issue.number, bodyHash: issueHash(rendered), commented: true };
}

async function refresh(desire: DriftIssueDesire, issue: DriftIssue): Promise<DriftIssueOutcome> {
  const rendered = desire.render();
  const hash = issueHash(rendered);
  const changed = issue.title !== rendered.title || issue.body !== rendered.body;
  if (changed) {
    desire.api.calls++;
    await desire.octokit.rest.issues.update({
      owner: desire.owner,
      repo: desire.repo,
      issue_number: issue.number,
      title: rendered.title,
      body: rendered.body,
    });
  }
  if (desire.comment) await comment(desire, issue.number, renderDriftComment(desire.comment, desire.finding));
  return {
    action: changed ? "updated" : "unchanged",
    number: issue.number,
    bodyHash: hash,
    commented: !!desire.comment,
  };
}

/**
 * Makes the finding's one issue open and current: updates it (and comments when `comment` says so),
 * reopens it when it was closed within 7 days, opens a new one that links a longer-closed one, or
 * creates it. An issue a person closed as not planned within the window is left closed, unless the
 * breach is past a limit learned from such a close: that opens a new issue linking it.
 */
export async function upsertDriftIssue(desire: DriftIssueDesire): Promise<DriftIssueOutcome> {
  const { record } = desire;
  if (desire.dryRun) {
    desire.log.info(
      { payload: { ...desire.render(), labels: [desire.label] } },
      "dry run: would write drift issue",
    );
    return { action: "dry-run", number: record?.issueNumber ?? null, bodyHash: null, commented: false };
  }
  // Nothing new to say on an issue we know is open: no request at all.
  const unchanged = record?.state === "open" && record.bodyHash === issueHash(desire.render());
  if (unchanged && record?.issueNumber && !desire.comment)
    return { action: "unchanged", number: record.issueNumber, bodyHash: record.bodyHash, commented: false };
  const issue = await locate(desire);
  if (!issue) return create(desire, record?.issueNumber ?? undefined);
  if (issue.state === "open") return refresh(desire, issue);
  const recent =
    issue.closedAt !== null && desire.now.getTime() - issue.closedAt.getTime() < REOPEN_WINDOW_MS;
  if (!recent) return create(desire, issue.number);
  // A breach past a limit learned from that very close is news: a new issue, linking the declined one.
  if (issue.stateReason === "not_planned" && desire.finding.threshold.from === "learned")
    return create(desire, issue.number);
  if (issue.stateReason === "not_planned") {
    desire.log.info(
      { issue: issue.number },
      "drift issue was closed as not planned recently; leaving it closed",
    );
    return { action: "declined", number: issue.number, bodyHash: null, commented: false };
  }
  return reopen(desire, issue);
}

/** Closes the finding's open issue with a comment saying what recovered (state reason `completed`). */
export async function closeDriftIssue(target: DriftIssueTarget): Promise<DriftIssueOutcome> {
  const known = target.record?.issueNumber ?? null;
  if (target.dryRun) {
    target.log.info({ payload: { issue: known, state: "closed" } }, "dry run: would close drift issue");
    return { action: "dry-run", number: known, bodyHash: null, commented: false };
  }
  const issue = await locate(target);
  if (issue?.state !== "open")
    return {
      action: "none",
      number: issue?.number ?? known,
      bodyHash: target.record?.bodyHash ?? null,
      commented: false,
    };
  await comment(target, issue.number, renderDriftComment("resolved", target.finding));
  target.api.calls++;
  await target.octokit.rest.issues.update({
    owner: target.owner,
    repo: target.repo,
    issue_number: issue.number,
    state: "closed",
    state_reason: "completed",
  });
  target.log.info({ issue: issue.number, fingerprint: target.finding.fingerprint }, "closed drift issue");
  return {
    action: "closed",
    number: issue.number,
    bodyHash: target.record?.bodyHash ?? null,
    commented: true,
  };
}
