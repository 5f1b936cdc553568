import type Database from "better-sqlite3";
import type { CanarySeriesRef } from "../../core/canary/canary-record.js";
import { type CanaryRow, canaryFromRow, newSeriesRefs } from "../rows/canary-row.js";
import type { CanaryStore } from "../store.js";
import { sqliteColumns, toJson, toMs } from "./columns.js";

const toRecord = canaryFromRow(sqliteColumns);

/** Post-merge canaries in the `canaries` table; each read-modify-write runs in one transaction. */
export function createSqliteCanaryStore(db: Database.Database): CanaryStore {
  const insert = db.prepare(
    `INSERT INTO canaries (id, repo, pr, merge_sha, merged_at, author, window_ends, watched, series, state, ended, summary, evidence, created_at, updated_at)
     VALUES (@id, @repo, @pr, @merge_sha, @merged_at, @author, @window_ends, @watched, @series, @state, @ended, @summary, @evidence, @created_at, @updated_at)
     ON CONFLICT (id) DO NOTHING`,
  );
  const get = db.prepare<[string], CanaryRow>("SELECT * FROM canaries WHERE id = ?");
  const setSeries = db.prepare("UPDATE canaries SET series = ?, updated_at = ? WHERE id = ?");
  const setRegression = db.prepare(
    "UPDATE canaries SET evidence = ?, summary = ?, state = 'regressed', updated_at = ? WHERE id = ?",
  );
  const end = db.prepare(
    "UPDATE canaries SET state = ?, summary = ?, ended = 1, updated_at = ? WHERE id = ? AND ended = 0",
  );
  const addSeries = db.transaction((id: string, series: readonly CanarySeriesRef[], now: Date) => {
    const row = get.get(id);
    if (!row) return null;
    const known = toRecord(row).series;
    const fresh = newSeriesRefs(known, series);
    if (fresh.length > 0) setSeries.run(toJson([...known, ...fresh]), toMs(now), id);
    const after = get.get(id);
    return after ? toRecord(after) : null;
  });
  const recordRegression = db.transaction(
    (id: string, evidence: readonly string[], summary: string, now: Date) => {
      const row = get.get(id);
      if (!row) return [];
      const known = toRecord(row).evidence;
      const fresh = [...new Set(evidence)].filter((e) => !known.includes(e));
      if (fresh.length === 0 && row.state === "regressed") return [];
      setRegression.run(toJson([...known, ...fresh]), summary, toMs(now), id);
      return fresh;
    },
  );
  return {
    async add(r) {
      return (
        insert.run({
          id: r.id,
          repo: r.repo,
          pr: r.pr,
          merge_sha: r.mergeSha,
          merged_at: toMs(r.mergedAt),
          author: r.author,
          window_ends: toMs(r.windowEnds),
          watched: toJson(r.watched),
          series: toJson(r.series),
          state: r.state,
          ended: r.ended ? 1 : 0,
          summary: r.summary,
          evidence: toJson(r.evidence),
          created_at: toMs(r.createdAt),
          updated_at: toMs(r.updatedAt),
        }).changes === 1
      );
    },
    async get(id) {
      const row = get.get(id);
      return row ? toRecord(row) : null;
    },
    async list({ repo, state, activeAt, updatedSince, ended }) {
      const where = ["repo = ?"];
      const params: Array<string | number> = [repo];
      if (state !== undefined) {
        where.push("state = ?");
        params.push(state);
      }
      if (ended !== undefined) {
        where.push("ended = ?");
        params.push(ended ? 1 : 0);
      }
      if (activeAt) {
        where.push("merged_at <= ? AND window_ends > ?");
        params.push(toMs(activeAt), toMs(activeAt));
      }
      if (updatedSince) {
        where.push("updated_at >= ?");
        params.push(toMs(updatedSince));
      }
      const rows = db
        .prepare<Array<string | number>, CanaryRow>(
          `SELECT * FROM canaries WHERE ${where.join(" AND ")} ORDER BY merged_at, id`,
        )
        .all(...params);
      return rows.map(toRecord);
    },
    async addSeries({ id, series, now }) {
      return addSeries(id, series, now);
    },
    async recordRegression({ id, evidence, summary, now }) {
      return recordRegression(id, evidence, summary, now);
    },
    async end({ id, state, summary, now }) {
      return end.run(state, summary, toMs(now), id).changes === 1;
    },
  };
}
