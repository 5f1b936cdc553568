import {
  type CanaryRow,
  CANARY_COLUMNS as COLUMNS,
  canaryFromRow,
  newSeriesRefs,
} from "../rows/canary-row.js";
import type { CanaryStore } from "../store.js";
import { pgColumns, toJson } from "./columns.js";
import type { PgDb } from "./pg-db.js";

const toRecord = canaryFromRow(pgColumns);

/**
 * Post-merge canaries. Each read-modify-write locks the row (SELECT … FOR UPDATE) in a transaction,
 * so two instances adding series or evidence at once both land.
 */
export function createPgCanaryStore(db: PgDb): CanaryStore {
  const lockRow = async (client: { query: PgDb["query"] }, id: string) => {
    const { rows } = await client.query<CanaryRow>(
      `SELECT ${COLUMNS} FROM canaries WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0];
  };
  return {
    async add(r) {
      const result = await db.query(
        `INSERT INTO canaries (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9::json, $10, $11, $12, $13::json, $14, $15)
         ON CONFLICT (id) DO NOTHING`,
        [
          r.id,
          r.repo,
          r.pr,
          r.mergeSha,
          r.mergedAt,
          r.author,
          r.windowEnds,
          toJson(r.watched),
          toJson(r.series),
          r.state,
          r.ended,
          r.summary,
          toJson(r.evidence),
          r.createdAt,
          r.updatedAt,
        ],
      );
      return result.rowCount === 1;
    },
    async get(id) {
      const { rows } = await db.query<CanaryRow>({
        name: "bf_canary_get",
        text: `SELECT ${COLUMNS} FROM canaries WHERE id = $1`,
        values: [id],
      });
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async list({ repo, state, activeAt, updatedSince, ended }) {
      const params: unknown[] = [repo];
      const where = ["repo = $1"];
      const add = (clause: (n: string) => string, value: unknown) => {
        params.push(value);
        where.push(clause(`$${params.length}`));
      };
      if (state !== undefined) add((n) => `state = ${n}`, state);
      if (ended !== undefined) add((n) => `ended = ${n}`, ended);
      if (activeAt) add((n) => `merged_at <= ${n} AND window_ends > ${n}`, activeAt);
      if (updatedSince) add((n) => `updated_at >= ${n}`, updatedSince);
      const { rows } = await db.query<CanaryRow>(
        `SELECT ${COLUMNS} FROM canaries WHERE ${where.join(" AND ")} ORDER BY merged_at, id`,
        params,
      );
      return rows.map(toRecord);
    },
    async addSeries({ id, series, now }) {
      return db.transaction(async (client) => {
        const row = await lockRow(client, id);
        if (!row) return null;
        const known = toRecord(row).series;
        const fresh = newSeriesRefs(known, series);
        if (fresh.length === 0) return toRecord(row);
        const { rows } = await client.query<CanaryRow>(
          `UPDATE canaries SET series = $1::json, updated_at = $2 WHERE id = $3 RETURNING ${COLUMNS}`,
          [toJson([...known, ...fresh]), now, id],
        );
        return rows[0] ? toRecord(rows[0]) : null;
      });
    },
    async recordRegression({ id, evidence, summary, now }) {
      return db.transaction(async (client) => {
        const row = await lockRow(client, id);
        if (!row) return [];
        const known = toRecord(row).evidence;
        const fresh = [...new Set(evidence)].filter((e) => !known.includes(e));
        if (fresh.length === 0 && row.state === "regressed") return [];
        await client.query(
          "UPDATE canaries SET evidence = $1::json, summary = $2, state = 'regressed', updated_at = $3 WHERE id = $4",
          [toJson([...known, ...fresh]), summary, now, id],
        );
        return fresh;
      });
    },
    async end({ id, state, summary, now }) {
      const result = await db.query({
        name: "bf_canary_end",
        text: "UPDATE canaries SET state = $1, summary = $2, ended = true, updated_at = $3 WHERE id = $4 AND NOT ended",
        values: [state, summary, now, id],
      });
      return result.rowCount === 1;
    },
  };
}
