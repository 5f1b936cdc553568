import type Database from "better-sqlite3";
import type { RepoStateStore } from "../store.js";
import { fromJson, toJson, toMs } from "./columns.js";

/** Small named facts per repository (check run ids, dashboard issue number, …) as JSON values. */
export function createSqliteRepoStateStore(db: Database.Database): RepoStateStore {
  const get = db.prepare<[string, string], { value: string }>(
    "SELECT value FROM repo_state WHERE repo = ? AND state_key = ?",
  );
  const put = db.prepare(
    `INSERT INTO repo_state (repo, state_key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (repo, state_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  // First writer wins across processes: the primary key decides, not a read-then-write.
  const putIfAbsent = db.prepare(
    `INSERT INTO repo_state (repo, state_key, value, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (repo, state_key) DO NOTHING`,
  );
  const remove = db.prepare("DELETE FROM repo_state WHERE repo = ? AND state_key = ?");
  return {
    async get<T = unknown>({ repo, key }: { repo: string; key: string }): Promise<T | null> {
      const row = get.get(repo, key);
      // The caller names T; the store holds whatever JSON it was given for this key.
      return row ? (fromJson(row.value) as T) : null;
    },
    async put({ repo, key, value, now }) {
      put.run(repo, key, toJson(value), toMs(now));
    },
    async putIfAbsent({ repo, key, value, now }) {
      return putIfAbsent.run(repo, key, toJson(value), toMs(now)).changes === 1;
    },
    async delete({ repo, key }) {
      remove.run(repo, key);
    },
  };
}
