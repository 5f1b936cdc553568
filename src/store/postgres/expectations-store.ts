import {
  EXPECTATION_COLUMNS as COLUMNS,
  type ExpectationRow,
  expectationFromRow,
} from "../rows/expectation-row.js";
import type { ExpectationStore } from "../store.js";
import { pgColumns, toJson } from "./columns.js";
import type { PgDb } from "./pg-db.js";

const toRecord = expectationFromRow(pgColumns);

/** Expectations of merged pull requests and their verdicts, in the `expectations` table. */
export function createPgExpectationStore(db: PgDb): ExpectationStore {
  return {
    async add(records) {
      if (records.length === 0) return 0;
      // One transaction: all or nothing; ids already stored (or listed twice) are kept as first written.
      return db.transaction(async (client) => {
        let added = 0;
        for (const r of records) {
          const result = await client.query({
            name: "bf_expectation_add",
            text: `INSERT INTO expectations (${COLUMNS})
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9, $10::json, $11, $12, $13)
                   ON CONFLICT (id) DO NOTHING`,
            values: [
              r.id,
              r.repo,
              r.pr,
              r.mergeSha,
              r.mergedAt,
              r.author,
              r.fingerprint,
              toJson(r.spec),
              r.state,
              r.verdict === null ? null : toJson(r.verdict),
              r.revertPr,
              r.createdAt,
              r.updatedAt,
            ],
          });
          added += result.rowCount ?? 0;
        }
        return added;
      });
    },
    async get(id) {
      const { rows } = await db.query<ExpectationRow>({
        name: "bf_expectation_get",
        text: `SELECT ${COLUMNS} FROM expectations WHERE id = $1`,
        values: [id],
      });
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async list({ repo, state, fingerprint, pr, updatedSince }) {
      const params: unknown[] = [repo];
      const where = ["repo = $1"];
      for (const [column, value] of [
        ["state", state],
        ["fingerprint", fingerprint],
        ["pr", pr],
      ] as const) {
        if (value === undefined) continue;
        params.push(value);
        where.push(`${column} = $${params.length}`);
      }
      if (updatedSince) {
        params.push(updatedSince);
        where.push(`(state = 'watching' OR updated_at >= $${params.length})`);
      }
      const { rows } = await db.query<ExpectationRow>(
        `SELECT ${COLUMNS} FROM expectations WHERE ${where.join(" AND ")} ORDER BY merged_at, id`,
        params,
      );
      return rows.map(toRecord);
    },
    async settle({ id, from, state, verdict, now }) {
      const result = await db.query({
        name: "bf_expectation_settle",
        text: "UPDATE expectations SET state = $1, verdict = $2::json, updated_at = $3 WHERE id = $4 AND state = $5",
        values: [state, toJson(verdict), now, id, from],
      });
      return result.rowCount === 1;
    },
    async setRevertPr({ id, revertPr, now }) {
      await db.query({
        name: "bf_expectation_revert_pr",
        text: "UPDATE expectations SET revert_pr = $1, updated_at = $2 WHERE id = $3",
        values: [revertPr, now, id],
      });
    },
  };
}
