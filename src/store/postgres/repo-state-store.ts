import type { RepoStateStore } from "../store.js";
import { toJson } from "./columns.js";
import type { PgDb } from "./pg-db.js";

/** Small named facts per repository (check run ids, dashboard issue number, …) as JSON values. */
export function createPgRepoStateStore(db: PgDb): RepoStateStore {
  return {
    async get<T = unknown>({ repo, key }: { repo: string; key: string }): Promise<T | null> {
      const { rows } = await db.query<{ value: unknown }>({
        name: "bf_repo_state_get",
        text: "SELECT value FROM repo_state WHERE repo = $1 AND state_key = $2",
        values: [repo, key],
      });
      // The caller names T; the store holds whatever JSON it was given for this key.
      return rows.length > 0 ? (rows[0]?.value as T) : null;
    },
    async put({ repo, key, value, now }) {
      await db.query({
        name: "bf_repo_state_put",
        text: `INSERT INTO repo_state (repo, state_key, value, updated_at) VALUES ($1, $2, $3::json, $4)
               ON CONFLICT (repo, state_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        values: [repo, key, toJson(value), now],
      });
    },
    async putIfAbsent({ repo, key, value, now }) {
      // First writer wins across instances: the primary key decides, not a read-then-write.
      const result = await db.query({
        name: "bf_repo_state_put_if_absent",
        text: `INSERT INTO repo_state (repo, state_key, value, updated_at) VALUES ($1, $2, $3::json, $4)
               ON CONFLICT (repo, state_key) DO NOTHING`,
        values: [repo, key, toJson(value), now],
      });
      return result.rowCount === 1;
    },
    async delete({ repo, key }) {
      await db.query({
        name: "bf_repo_state_delete",
        text: "DELETE FROM repo_state WHERE repo = $1 AND state_key = $2",
        values: [repo, key],
      });
    },
  };
}
