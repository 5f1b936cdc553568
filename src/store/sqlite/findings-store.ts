import type Database from "better-sqlite3";
import { type Evaluation, EvaluationSchema } from "../../core/triage/evaluation-schema.js";
import { FindingSchema } from "../../core/triage/triage-signal.js";
import type { FindingRecord, FindingState, FindingStore } from "../store.js";
import { fromJson, fromMs, toJson, toMs } from "./columns.js";

type FindingRow = {
  repo: string;
  fingerprint: string;
  state: FindingState;
  issue_number: number | null;
  severity: string;
  opened_at: number | null;
  resolved_at: number | null;
  last_comment_at: number | null;
  last_comment_signal_id: string | null;
  snoozed_until: number | null;
  body_hash: string | null;
  finding: string;
  updated_at: number;
};

const COLUMNS =
  "repo, fingerprint, state, issue_number, severity, opened_at, resolved_at, last_comment_at, last_comment_signal_id, snoozed_until, body_hash, finding, updated_at";

const msOrNull = (date: Date | null) => (date === null ? null : toMs(date));

function toRecord(row: FindingRow): FindingRecord {
  return {
    repo: row.repo,
    fingerprint: row.fingerprint,
    state: row.state,
    issueNumber: row.issue_number,
    severity: row.severity,
    openedAt: fromMs(row.opened_at),
    resolvedAt: fromMs(row.resolved_at),
    lastCommentAt: fromMs(row.last_comment_at),
    lastCommentSignalId: row.last_comment_signal_id,
    snoozedUntil: fromMs(row.snoozed_until),
    bodyHash: row.body_hash,
    // Parsed, not cast: a row written by an older version must not pass as today's shape silently.
    finding: FindingSchema.parse(fromJson(row.finding)),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * The key that makes a history point idempotent: the observation (signal time, metric, value), not
 * the signal id, so one measurement sent twice (a retry without an id, two deliveries) is one point.
 */
export function observationKey(evaluation: Pick<Evaluation, "observedAt" | "metric" | "value">): string {
  return `${Date.parse(evaluation.observedAt)}:${evaluation.metric}:${evaluation.value ?? ""}`;
}

/**
 * Findings per (repository, fingerprint) and each fingerprint's evaluation history on SQLite.
 * A point is stored once per observation, so a retried or duplicated signal never doubles the history.
 */
export function createSqliteFindingStore(db: Database.Database): FindingStore {
  const get = db.prepare<[string, string], FindingRow>(
    `SELECT ${COLUMNS} FROM findings WHERE repo = ? AND fingerprint = ?`,
  );
  const put = db.prepare(
    `INSERT INTO findings (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (repo, fingerprint) DO UPDATE SET state = excluded.state, issue_number = excluded.issue_number,
       severity = excluded.severity, opened_at = excluded.opened_at, resolved_at = excluded.resolved_at,
       last_comment_at = excluded.last_comment_at, last_comment_signal_id = excluded.last_comment_signal_id,
       snoozed_until = excluded.snoozed_until, body_hash = excluded.body_hash, finding = excluded.finding,
       updated_at = excluded.updated_at`,
  );
  const listAll = db.prepare<[string, number], FindingRow>(
    `SELECT ${COLUMNS} FROM findings WHERE repo = ? ORDER BY updated_at DESC, fingerprint LIMIT ?`,
  );
  const listByState = db.prepare<[string, FindingState, number], FindingRow>(
    `SELECT ${COLUMNS} FROM findings WHERE repo = ? AND state = ? ORDER BY updated_at DESC, fingerprint LIMIT ?`,
  );
  const addPoint = db.prepare(
    `INSERT INTO finding_evaluations (repo, fingerprint, point_key, observed_at, evaluation) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (repo, fingerprint, point_key) DO NOTHING`,
  );
  const points = db.prepare<[string, string, number], { evaluation: string }>(
    `SELECT evaluation FROM finding_evaluations WHERE repo = ? AND fingerprint = ?
     ORDER BY observed_at DESC, point_key DESC LIMIT ?`,
  );
  return {
    async get({ repo, fingerprint }) {
      const row = get.get(repo, fingerprint);
      return row ? toRecord(row) : null;
    },
    async put(record) {
      put.run(
        record.repo,
        record.fingerprint,
        record.state,
        record.issueNumber,
        record.severity,
        msOrNull(record.openedAt),
        msOrNull(record.resolvedAt),
        msOrNull(record.lastCommentAt),
        record.lastCommentSignalId,
        msOrNull(record.snoozedUntil),
        record.bodyHash,
        toJson(record.finding),
        toMs(record.updatedAt),
      );
    },
    async list({ repo, state, limit = 100 }) {
      const rows = state ? listByState.all(repo, state, limit) : listAll.all(repo, limit);
      return rows.map(toRecord);
    },
    async addEvaluation({ repo, fingerprint, evaluation }) {
      const parsed = EvaluationSchema.parse(evaluation);
      const inserted = addPoint.run(
        repo,
        fingerprint,
        observationKey(parsed),
        Date.parse(parsed.observedAt),
        toJson(parsed),
      );
      return inserted.changes === 1;
    },
    async evaluations({ repo, fingerprint, limit = 200 }) {
      return points
        .all(repo, fingerprint, limit)
        .reverse()
        .map((row) => EvaluationSchema.parse(fromJson(row.evaluation)));
    },
  };
}
