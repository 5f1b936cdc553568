import type Database from "better-sqlite3";
import type { ParseCacheStore } from "../store.js";
import { chunk, fromJson, placeholders, toJson } from "./columns.js";

/**
 * `last_used_at` of an entry read or written since the last prune. The store takes no clock, so the
 * prune stamps these with its own `now`; an entry is "last used" at the prune that first saw it used,
 * and one unused for the retention window is deleted.
 */
export const USED_SINCE_LAST_PRUNE = -1;

/** Parse results keyed by blob SHA + analysis version; a key's value is replaced when written again. */
export function createSqliteParseCacheStore(db: Database.Database): ParseCacheStore {
  const upsert = db.prepare(
    `INSERT INTO parse_cache (cache_key, value, last_used_at) VALUES (?, ?, ${USED_SINCE_LAST_PRUNE})
     ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, last_used_at = ${USED_SINCE_LAST_PRUNE}`,
  );
  const putAll = db.transaction((entries: ReadonlyArray<{ key: string; value: unknown }>) => {
    for (const entry of entries) upsert.run(entry.key, toJson(entry.value));
  });
  return {
    async getMany(keys) {
      const found = new Map<string, unknown>();
      for (const part of chunk([...new Set(keys)])) {
        const rows = db
          .prepare<string[], { cache_key: string; value: string; last_used_at: number }>(
            `SELECT cache_key, value, last_used_at FROM parse_cache WHERE cache_key IN (${placeholders(part.length)})`,
          )
          .all(...part);
        for (const row of rows) found.set(row.cache_key, fromJson(row.value));
        // Once per entry between prunes: a read of entries all marked already (or of misses only)
        // runs no UPDATE, so it takes no write lock.
        const unmarked = rows.filter((r) => r.last_used_at !== USED_SINCE_LAST_PRUNE).map((r) => r.cache_key);
        if (unmarked.length === 0) continue;
        db.prepare(
          `UPDATE parse_cache SET last_used_at = ${USED_SINCE_LAST_PRUNE}
           WHERE cache_key IN (${placeholders(unmarked.length)}) AND last_used_at <> ${USED_SINCE_LAST_PRUNE}`,
        ).run(...unmarked);
      }
      return found;
    },
    async putMany(entries) {
      putAll.immediate(entries);
    },
  };
}
