import { EvaluationSchema } from "../../core/triage/evaluation-schema.js";
import {
  FINDING_COLUMNS as COLUMNS,
  type FindingRow,
  findingFromRow,
  observationKey,
} from "../rows/finding-row.js";
import type { FindingStore } from "../store.js";
import { pgColumns, toJson } from "./columns.js";
import type { PgDb } from "./pg-db.js";

const toRecord = findingFromRow(pgColumns);

// $1 repo … $13 updated_at, in COLUMNS order.
const VALUES = "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::json, $13)";
// An existing row's snoozed_until is left alone: only `snooze` changes it.
const SET = `state = excluded.state, issue_number = excluded.issue_number, severity = excluded.severity,
  opened_at = excluded.opened_at, resolved_at = excluded.resolved_at, last_comment_at = excluded.last_comment_at,
  last_comment_signal_id = excluded.last_comment_signal_id, body_hash = excluded.body_hash,
  finding = excluded.finding, updated_at = excluded.updated_at`;
/** updated_at moves strictly forward on a compare-and-set or field write, so two writes never look like one. */
const forward = (value: string) => `GREATEST(${value}, updated_at + interval '1 millisecond')`;

/**
 * Findings per (repository, fingerprint) and each fingerprint's evaluation history. Compare-and-set
 * writes are single UPDATEs conditioned on the `updated_at` read, so concurrent triage on several
 * instances never overwrites a change it did not see.
 */
export function createPgFindingStore(db: PgDb): FindingStore {
  return {
    async get({ repo, fingerprint }) {
      const { rows } = await db.query<FindingRow>({
        name: "bf_finding_get",
        text: `SELECT ${COLUMNS} FROM findings WHERE repo = $1 AND fingerprint = $2`,
        values: [repo, fingerprint],
      });
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async put(record, version) {
      const values = [
        record.repo,
        record.fingerprint,
        record.state,
        record.issueNumber,
        record.severity,
        record.openedAt,
        record.resolvedAt,
        record.lastCommentAt,
        record.lastCommentSignalId,
        record.snoozedUntil,
        record.bodyHash,
        toJson(record.finding),
        record.updatedAt,
      ];
      if (!version) {
        const result = await db.query({
          name: "bf_finding_upsert",
          text: `INSERT INTO findings (${COLUMNS}) VALUES ${VALUES} ON CONFLICT (repo, fingerprint) DO UPDATE SET ${SET}`,
          values,
        });
        return result.rowCount === 1;
      }
      if (version.ifUpdatedAt === null) {
        const result = await db.query({
          name: "bf_finding_insert_new",
          text: `INSERT INTO findings (${COLUMNS}) VALUES ${VALUES} ON CONFLICT (repo, fingerprint) DO NOTHING`,
          values,
        });
        return result.rowCount === 1;
      }
      const { snoozedUntil: _kept, ...fields } = record;
      const result = await db.query({
        name: "bf_finding_cas",
        text: `UPDATE findings SET state = $3, issue_number = $4, severity = $5, opened_at = $6, resolved_at = $7,
                 last_comment_at = $8, last_comment_signal_id = $9, body_hash = $10, finding = $11::json,
                 updated_at = ${forward("$12::timestamptz")}
               WHERE repo = $1 AND fingerprint = $2 AND updated_at = $13`,
        values: [
          fields.repo,
          fields.fingerprint,
          fields.state,
          fields.issueNumber,
          fields.severity,
          fields.openedAt,
          fields.resolvedAt,
          fields.lastCommentAt,
          fields.lastCommentSignalId,
          fields.bodyHash,
          toJson(fields.finding),
          fields.updatedAt,
          version.ifUpdatedAt,
        ],
      });
      return result.rowCount === 1;
    },
    async snooze({ repo, fingerprint, until, now }) {
      const result = await db.query({
        name: "bf_finding_snooze",
        text: `UPDATE findings SET snoozed_until = $1, updated_at = ${forward("$2::timestamptz")}
               WHERE repo = $3 AND fingerprint = $4`,
        values: [until, now, repo, fingerprint],
      });
      return result.rowCount === 1;
    },
    async transition({ repo, fingerprint, from, to, now }) {
      const result = await db.query({
        name: "bf_finding_transition",
        text: `UPDATE findings SET state = $1, resolved_at = CASE WHEN $1 = 'resolved' THEN $2::timestamptz ELSE NULL END,
                 updated_at = ${forward("$2::timestamptz")}
               WHERE repo = $3 AND fingerprint = $4 AND state = $5`,
        values: [to, now, repo, fingerprint, from],
      });
      return result.rowCount === 1;
    },
    async list({ repo, state, limit = 100 }) {
      const { rows } = state
        ? await db.query<FindingRow>({
            name: "bf_finding_list_state",
            text: `SELECT ${COLUMNS} FROM findings WHERE repo = $1 AND state = $2 ORDER BY updated_at DESC, fingerprint LIMIT $3`,
            values: [repo, state, limit],
          })
        : await db.query<FindingRow>({
            name: "bf_finding_list",
            text: `SELECT ${COLUMNS} FROM findings WHERE repo = $1 ORDER BY updated_at DESC, fingerprint LIMIT $2`,
            values: [repo, limit],
          });
      return rows.map(toRecord);
    },
    async addEvaluation({ repo, fingerprint, evaluation }) {
      const parsed = EvaluationSchema.parse(evaluation);
      const result = await db.query({
        name: "bf_finding_add_point",
        text: `INSERT INTO finding_evaluations (repo, fingerprint, point_key, observed_at, evaluation)
               VALUES ($1, $2, $3, $4, $5::json) ON CONFLICT (repo, fingerprint, point_key) DO NOTHING`,
        values: [repo, fingerprint, observationKey(parsed), new Date(parsed.observedAt), toJson(parsed)],
      });
      return result.rowCount === 1;
    },
    async evaluations({ repo, fingerprint, limit = 200 }) {
      const { rows } = await db.query<{ evaluation: unknown }>({
        name: "bf_finding_points",
        text: `SELECT evaluation FROM finding_evaluations WHERE repo = $1 AND fingerprint = $2
               ORDER BY observed_at DESC, point_key DESC LIMIT $3`,
        values: [repo, fingerprint, limit],
      });
      return rows.reverse().map((row) => EvaluationSchema.parse(row.evaluation));
    },
  };
}
