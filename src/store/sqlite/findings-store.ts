import type Database from "better-sqlite3";
import { EvaluationSchema } from "../../core/triage/evaluation-schema.js";
import {
  FINDING_COLUMNS as COLUMNS,
  type FindingRow,
  findingFromRow,
  observationKey,
} from "../rows/finding-row.js";
import type { FindingState, FindingStore } from "../store.js";
import { fromJson, sqliteColumns, toJson, toMs } from "./columns.js";

const msOrNull = (date: Date | null) => (date === null ? null : toMs(date));
const toRecord = findingFromRow(sqliteColumns);

/**
 * Findings per (repository, fingerprint) and each fingerprint's evaluation history on SQLite.
 * A point is stored once per observation, so a retried or duplicated signal never doubles the history.
 */
export function createSqliteFindingStore(db: Database.Database): FindingStore {
  const get = db.prepare<[string, string], FindingRow>(
    `SELECT ${COLUMNS} FROM findings WHERE repo = ? AND fingerprint = ?`,
  );
  // An existing row's snoozed_until is left alone: only `snooze` changes it. Compare-and-set and
  // field writes move updated_at strictly forward, so a compare-and-set never mistakes two writes for one.
  const SET = (
    updatedAt: string,
  ) => `state = @state, issue_number = @issue_number, severity = @severity, opened_at = @opened_at,
       resolved_at = @resolved_at, last_comment_at = @last_comment_at,
       last_comment_signal_id = @last_comment_signal_id, body_hash = @body_hash, finding = @finding,
       updated_at = ${updatedAt}`;
  const VALUES = `(${COLUMNS.split(", ")
    .map((c) => `@${c}`)
    .join(", ")})`;
  const upsert = db.prepare(
    `INSERT INTO findings (${COLUMNS}) VALUES ${VALUES} ON CONFLICT (repo, fingerprint) DO UPDATE SET ${SET("@updated_at")}`,
  );
  const insertNew = db.prepare(
    `INSERT INTO findings (${COLUMNS}) VALUES ${VALUES} ON CONFLICT (repo, fingerprint) DO NOTHING`,
  );
  const updateIf = db.prepare(
    `UPDATE findings SET ${SET("MAX(@updated_at, updated_at + 1)")} WHERE repo = @repo AND fingerprint = @fingerprint AND updated_at = @if_updated_at`,
  );
  const snooze = db.prepare(
    `UPDATE findings SET snoozed_until = ?, updated_at = MAX(?, updated_at + 1) WHERE repo = ? AND fingerprint = ?`,
  );
  const transition = db.prepare(
    `UPDATE findings SET state = @to, resolved_at = CASE WHEN @to = 'resolved' THEN @now ELSE NULL END,
       updated_at = MAX(@now, updated_at + 1)
     WHERE repo = @repo AND fingerprint = @fingerprint AND state = @from`,
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
    async put(record, version) {
      const row: FindingRow = {
        repo: record.repo,
        fingerprint: record.fingerprint,
        state: record.state,
        issue_number: record.issueNumber,
        severity: record.severity,
        opened_at: msOrNull(record.openedAt),
        resolved_at: msOrNull(record.resolvedAt),
        last_comment_at: msOrNull(record.lastCommentAt),
        last_comment_signal_id: record.lastCommentSignalId,
        snoozed_until: msOrNull(record.snoozedUntil),
        body_hash: record.bodyHash,
        finding: toJson(record.finding),
        updated_at: toMs(record.updatedAt),
      };
      if (!version) return upsert.run(row).changes === 1;
      if (version.ifUpdatedAt === null) return insertNew.run(row).changes === 1;
      const { snoozed_until: _kept, ...fields } = row;
      return updateIf.run({ ...fields, if_updated_at: toMs(version.ifUpdatedAt) }).changes === 1;
    },
    async snooze({ repo, fingerprint, until, now }) {
      return snooze.run(msOrNull(until), toMs(now), repo, fingerprint).changes === 1;
    },
    async transition({ repo, fingerprint, from, to, now }) {
      return transition.run({ repo, fingerprint, from, to, now: toMs(now) }).changes === 1;
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
