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
        const list = placeholders(part.length);
        const rows = db
          .prepare<string[], { cache_key: string; value: string }>(
            `SELECT cache_key, value FROM parse_cache WHERE cache_key IN (${list})`,
          )
          .all(...part);
        for (const row of rows) found.set(row.cache_key, fromJson(row.value));
        // Once per entry between prunes: later reads find it marked already and write nothing.
        db.prepare(
          `UPDATE parse_cache SET last_used_at = ${USED_SINCE_LAST_PRUNE}
           WHERE cache_key IN (${list}) AND last_used_at <> ${USED_SINCE_LAST_PRUNE}`,
        ).run(...part);
      }
      return found;
    },
    async putMany(entries) {
      putAll.immediate(entries);
    },
  };
}
