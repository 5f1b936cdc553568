import type { Evaluation } from "../../core/triage/evaluation-schema.js";
import { FindingSchema } from "../../core/triage/triage-signal.js";
import type { FindingRecord, FindingState } from "../store.js";
import type { ColumnReader } from "./column-reader.js";

/** A `findings` row on either backend; `unknown` columns are read through the backend's ColumnReader. */
export type FindingRow = {
  repo: string;
  fingerprint: string;
  state: FindingState;
  issue_number: number | null;
  severity: string;
  opened_at: unknown;
  resolved_at: unknown;
  last_comment_at: unknown;
  last_comment_signal_id: string | null;
  snoozed_until: unknown;
  body_hash: string | null;
  finding: unknown;
  updated_at: unknown;
};

export const FINDING_COLUMNS =
  "repo, fingerprint, state, issue_number, severity, opened_at, resolved_at, last_comment_at, last_comment_signal_id, snoozed_until, body_hash, finding, updated_at";

/** Row → record for one backend's reader. */
export function findingFromRow(read: ColumnReader): (row: FindingRow) => FindingRecord {
  return (row) => ({
    repo: row.repo,
    fingerprint: row.fingerprint,
    state: row.state,
    issueNumber: row.issue_number,
    severity: row.severity,
    openedAt: read.dateOrNull(row.opened_at),
    resolvedAt: read.dateOrNull(row.resolved_at),
    lastCommentAt: read.dateOrNull(row.last_comment_at),
    lastCommentSignalId: row.last_comment_signal_id,
    snoozedUntil: read.dateOrNull(row.snoozed_until),
    bodyHash: row.body_hash,
    // Parsed, not cast: a row written by an older version must not pass as today's shape silently.
    finding: FindingSchema.parse(read.json(row.finding)),
    updatedAt: read.date(row.updated_at),
  });
}

/**
 * The key that makes a history point idempotent: the observation (signal time, metric, value), not
 * the signal id, so one measurement sent twice (a retry without an id, two deliveries) is one point.
 * Both backends store it, so a database moved between them keeps its points unique.
 */
export function observationKey(evaluation: Pick<Evaluation, "observedAt" | "metric" | "value">): string {
  return `${Date.parse(evaluation.observedAt)}:${evaluation.metric}:${evaluation.value ?? ""}`;
}
