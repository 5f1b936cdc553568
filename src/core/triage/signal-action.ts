import type { Evaluation } from "./evaluation-schema.js";
import {
  type FindingRecordState,
  type IssueWrite,
  type JudgedSignal,
  mergeConcurrentFinding,
  nextFindingRecord,
} from "./finding-record.js";
import type { Finding } from "./triage-signal.js";

/**
 * A fingerprint's stored history without the point this signal would add again: the same measurement
 * sent twice under two ids (same observation time and value) must not count twice.
 */
export function historyWithout(
  history: readonly Evaluation[],
  signal: { readonly observedAt: string; readonly measurement?: { readonly value?: number } },
): Evaluation[] {
  const at = Date.parse(signal.observedAt);
  const value = signal.measurement?.value;
  return history.filter((e) => !(Date.parse(e.observedAt) === at && e.value === value));
}

/** Whether a judgement ranks suspects by recent commits: only a finding that opens or updates an issue shows them. */
export function needsSuspectCommits(finding: Pick<Finding, "decision">): boolean {
  return finding.decision === "open" || finding.decision === "update";
}

/** An audit entry the flow records after acting (the action name and what it is about). */
export type SignalAudit = { readonly action: string; readonly detail: Readonly<Record<string, unknown>> };

/**
 * What a judged signal asks the writers for: make the drift issue open and current, close it, or
 * write nothing to GitHub and only record (expected, unmatched and quiet signals).
 */
export type SignalPlan =
  | { readonly kind: "write-issue" }
  | { readonly kind: "close-issue" }
  | { readonly kind: "record"; readonly audit: SignalAudit | null; readonly warnUnmatched: boolean };

export function planSignal(finding: Finding): SignalPlan {
  if (finding.decision === "open" || finding.decision === "update") return { kind: "write-issue" };
  if (finding.decision === "resolve") return { kind: "close-issue" };
  if (finding.decision === "unmatched")
    return {
      kind: "record",
      audit: {
        action: "drift.unmatched",
        detail: { dataset: finding.dataset, candidates: finding.candidates, reason: finding.reason },
      },
      warnUnmatched: true,
    };
  if (finding.decision === "expected")
    return {
      kind: "record",
      audit: { action: "drift.expected", detail: { annotations: finding.annotations.map((a) => a.id) } },
      warnUnmatched: false,
    };
  return { kind: "record", audit: null, warnUnmatched: false };
}

/** What follows a drift issue write: the finding's next record, the audit entry, and whether it counts as newly opened. */
export type AfterIssueWrite = {
  readonly record: FindingRecordState;
  readonly audit: SignalAudit | null;
  /** A new or reopened issue: follow-up proposals treat the finding as just opened. */
  readonly opened: boolean;
};

/**
 * The record transition after the writer acted on the plan. An issue write leaves the finding open,
 * except when the issue stays closed as "not planned" (declined): then it is resolved. An unchanged
 * issue is not audited; a close is audited as `drift.closed`, a resolve with no open issue as
 * `drift.resolved`.
 */
export function afterIssueWrite(
  judged: JudgedSignal,
  plan: Exclude<SignalPlan["kind"], "record">,
  write: IssueWrite,
): AfterIssueWrite {
  const { finding } = judged;
  if (plan === "close-issue")
    return {
      record: nextFindingRecord(judged, write, "resolved"),
      audit: {
        action: write.action === "closed" ? "drift.closed" : "drift.resolved",
        detail: { issue: write.number },
      },
      opened: false,
    };
  return {
    record: nextFindingRecord(judged, write, write.action === "declined" ? "resolved" : "open"),
    audit:
      write.action === "unchanged"
        ? null
        : { action: `drift.${write.action}`, detail: { issue: write.number, reason: finding.reason } },
    opened: write.action === "created" || write.action === "reopened",
  };
}

/**
 * The record to compare-and-set when the stored one is `seen`: triage's own `next` while nothing
 * changed since it read `read` (or there is no stored record), else `next` merged with a person's
 * concurrent snooze or resolve (mergeConcurrentFinding).
 */
export function findingToWrite(
  read: FindingRecordState | null,
  seen: FindingRecordState | null,
  next: FindingRecordState,
): FindingRecordState {
  return seen === read || !seen ? next : mergeConcurrentFinding(read, seen, next);
}
