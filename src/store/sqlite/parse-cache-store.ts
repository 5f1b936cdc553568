import type Database from "better-sqlite3";
import type { ParseCacheStore } from "../store.js";
import { chunk, fromJson, placeholders, toJson } from "./columns.js";

/** Parse results keyed by blob SHA + analysis version; a key's value is replaced when written again. */
export function createSqliteParseCacheStore(db: Database.Database): ParseCacheStore {
  const upsert = db.prepare(
    "INSERT INTO parse_cache (cache_key, value) VALUES (?, ?) ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value",
  );
  const putAll = db.transaction((entries: ReadonlyArray<{ key: string; value: unknown }>) => {
    for (const entry of entries) upsert.run(entry.key, toJson(entry.value));
  });
  return {
    async getMany(keys) {
      const found = new Map<string, unknown>();
      for (const part of chunk([...new Set(keys)])) {
        const rows = db
          .prepare<string[], { cache_key: string; value: string }>(
            `SELECT cache_key, value FROM parse_cache WHERE cache_key IN (${placeholders(part.length)})`,
          )
          .all(...part);
        for (const row of rows) found.set(row.cache_key, fromJson(row.value));
      }
      return found;
    },
    async putMany(entries) {
      putAll.immediate(entries);
    },
  };
}
