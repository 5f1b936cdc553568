import type { DriftCommentKind } from "../render/render-drift-issue.js";
import type { Finding } from "./triage-signal.js";

/** The stored state of a finding, as triage reads and writes it (the store's FindingRecord has this shape). */
export type FindingRecordState = {
  readonly repo: string;
  readonly fingerprint: string;
  /** `open` while the problem is current; `resolved` once it recovered or was closed. */
  readonly state: "open" | "resolved";
  /** The drift issue that tracks it; null until one was written. */
  readonly issueNumber: number | null;
  readonly severity: string;
  readonly openedAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly lastCommentAt: Date | null;
  /** The signal whose decision was last commented on, so a retried job does not comment twice. */
  readonly lastCommentSignalId: string | null;
  readonly snoozedUntil: Date | null;
  /** Hash of the issue title and body last written; an unchanged rendering is not sent again. */
  readonly bodyHash: string | null;
  readonly finding: Finding;
  readonly updatedAt: Date;
};

/** One judged signal: the finding, the record as it was read (null: first time), the clock and the signal. */
export type JudgedSignal = {
  readonly finding: Finding;
  readonly record: FindingRecordState | null;
  readonly now: Date;
  readonly signal: { readonly id: string; readonly observedAt: string };
};

/**
 * Whether an `update` of an open drift issue also gets a comment (comment hysteresis): never while
 * snoozed, never twice for one signal or one observation, and "severity" when the severity changed.
 * Null: update the issue body only.
 */
export function decideDriftComment(judged: JudgedSignal): DriftCommentKind | null {
  const { finding, record, now, signal } = judged;
  if (finding.decision !== "update" || !finding.comment || !record) return null;
  if (record.snoozedUntil && record.snoozedUntil > now) return null;
  // A retried job, or the same observation sent twice, must not comment twice.
  if (record.lastCommentSignalId === signal.id) return null;
  if (record.lastCommentAt?.getTime() === Date.parse(signal.observedAt)) return null;
  return record.severity !== finding.severity ? "severity" : "still-breached";
}

/** What the issue writer did, as the record transition reads it. */
export type IssueWrite = {
  readonly action: string;
  readonly number: number | null;
  readonly bodyHash: string | null;
  readonly commented: boolean;
};

/**
 * The record after an issue write (the record state machine): `openedAt` kept while it stays open,
 * `resolvedAt` set only when resolved, comment times in signal time, as the hysteresis reads them.
 */
export function nextFindingRecord(
  judged: JudgedSignal,
  write: IssueWrite,
  state: FindingRecordState["state"],
): FindingRecordState {
  const { finding, record, now, signal } = judged;
  const notified = write.commented || write.action === "created";
  return {
    repo: finding.repo,
    fingerprint: finding.fingerprint,
    state,
    issueNumber: write.number ?? record?.issueNumber ?? null,
    severity: finding.severity,
    openedAt:
      state === "open" ? (record?.state === "open" ? record.openedAt : now) : (record?.openedAt ?? null),
    resolvedAt: state === "resolved" ? now : null,
    lastCommentAt: notified ? new Date(signal.observedAt) : (record?.lastCommentAt ?? null),
    lastCommentSignalId: notified ? signal.id : (record?.lastCommentSignalId ?? null),
    snoozedUntil: record?.snoozedUntil ?? null,
    bodyHash: write.bodyHash,
    // A recovery names no suspects; the record keeps the ones its issue named (the review counts them).
    finding:
      finding.suspects.length === 0 && record && record.finding.suspects.length > 0
        ? { ...finding, suspects: record.finding.suspects }
        : finding,
    updatedAt: now,
  };
}

/**
 * Triage's record when the stored one changed while triage ran (a person resolved or snoozed it):
 * triage's issue fields win, the person's state change and snooze stand.
 */
export function mergeConcurrentFinding(
  read: FindingRecordState | null,
  fresh: FindingRecordState,
  next: FindingRecordState,
): FindingRecordState {
  const personMoved = read === null || fresh.state !== read.state;
  return {
    ...next,
    snoozedUntil: fresh.snoozedUntil,
    ...(personMoved ? { state: fresh.state, resolvedAt: fresh.resolvedAt, openedAt: fresh.openedAt } : {}),
  };
}
