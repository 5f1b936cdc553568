import type Database from "better-sqlite3";
import { type ExpectationRow, expectationFromRow } from "../rows/expectation-row.js";
import type { ExpectationRecord, ExpectationStore } from "../store.js";
import { sqliteColumns, toJson, toMs } from "./columns.js";

const toRecord = expectationFromRow(sqliteColumns);

/** Expectations of merged pull requests and their verdicts, in the `expectations` table. */
export function createSqliteExpectationStore(db: Database.Database): ExpectationStore {
  const insert = db.prepare(
    `INSERT INTO expectations (id, repo, pr, merge_sha, merged_at, author, fingerprint, spec, state, verdict, revert_pr, created_at, updated_at)
     VALUES (@id, @repo, @pr, @merge_sha, @merged_at, @author, @fingerprint, @spec, @state, @verdict, @revert_pr, @created_at, @updated_at)
     ON CONFLICT (id) DO NOTHING`,
  );
  const get = db.prepare<[string], ExpectationRow>("SELECT * FROM expectations WHERE id = ?");
  const settle = db.prepare(
    "UPDATE expectations SET state = ?, verdict = ?, updated_at = ? WHERE id = ? AND state = ?",
  );
  const setRevert = db.prepare("UPDATE expectations SET revert_pr = ?, updated_at = ? WHERE id = ?");
  const addMany = db.transaction((records: readonly ExpectationRecord[]) => {
    let added = 0;
    for (const r of records) {
      added += insert.run({
        id: r.id,
        repo: r.repo,
        pr: r.pr,
        merge_sha: r.mergeSha,
        merged_at: toMs(r.mergedAt),
        author: r.author,
        fingerprint: r.fingerprint,
        spec: toJson(r.spec),
        state: r.state,
        verdict: r.verdict === null ? null : toJson(r.verdict),
        revert_pr: r.revertPr,
        created_at: toMs(r.createdAt),
        updated_at: toMs(r.updatedAt),
      }).changes;
    }
    return added;
  });
  return {
    async add(records) {
      return addMany(records);
    },
    async get(id) {
      const row = get.get(id);
      return row ? toRecord(row) : null;
    },
    async list({ repo, state, fingerprint, pr, updatedSince }) {
      const where = ["repo = ?"];
      const params: Array<string | number> = [repo];
      for (const [column, value] of [
        ["state", state],
        ["fingerprint", fingerprint],
        ["pr", pr],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        params.push(value);
      }
      if (updatedSince) {
        where.push("(state = 'watching' OR updated_at >= ?)");
        params.push(toMs(updatedSince));
      }
      const rows = db
        .prepare<Array<string | number>, ExpectationRow>(
          `SELECT * FROM expectations WHERE ${where.join(" AND ")} ORDER BY merged_at, id`,
        )
        .all(...params);
      return rows.map(toRecord);
    },
    async settle({ id, from, state, verdict, now }) {
      return settle.run(state, toJson(verdict), toMs(now), id, from).changes === 1;
    },
    async setRevertPr({ id, revertPr, now }) {
      setRevert.run(revertPr, toMs(now), id);
    },
  };
}
