import type { ParseCacheStore } from "../store.js";
import { toJson } from "./columns.js";
import type { PgDb } from "./pg-db.js";

/**
 * Parse results keyed by blob SHA + analysis version; a key's value is replaced when written again.
 * `last_used_at` NULL marks an entry read or written since the last prune (the store takes no
 * clock); the prune stamps those with its own `now`, and deletes entries unused for the window.
 */
export function createPgParseCacheStore(db: PgDb): ParseCacheStore {
  return {
    async getMany(keys) {
      const found = new Map<string, unknown>();
      const unique = [...new Set(keys)];
      if (unique.length === 0) return found;
      const { rows } = await db.query<{ cache_key: string; value: unknown; marked: boolean }>({
        name: "bf_parse_cache_get",
        text: "SELECT cache_key, value, last_used_at IS NULL AS marked FROM parse_cache WHERE cache_key = ANY($1::text[])",
        values: [unique],
      });
      for (const row of rows) found.set(row.cache_key, row.value);
      // Once per entry between prunes: reads of entries marked already write nothing.
      const unmarked = rows.filter((r) => !r.marked).map((r) => r.cache_key);
      if (unmarked.length > 0) {
        await db.query({
          name: "bf_parse_cache_mark",
          text: "UPDATE parse_cache SET last_used_at = NULL WHERE cache_key = ANY($1::text[]) AND last_used_at IS NOT NULL",
          values: [unmarked],
        });
      }
      return found;
    },
    async putMany(entries) {
      if (entries.length === 0) return;
      // The last value of a key written twice in one call wins, as with one upsert after another.
      const latest = new Map<string, string>();
      for (const entry of entries) latest.set(entry.key, toJson(entry.value));
      // Sorted keys: two writers upserting overlapping sets lock rows in the same order (no deadlock).
      const keys = [...latest.keys()].sort();
      await db.query({
        name: "bf_parse_cache_put",
        text: `INSERT INTO parse_cache (cache_key, value, last_used_at)
               SELECT k, v::json, NULL FROM unnest($1::text[], $2::text[]) AS e(k, v)
               ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, last_used_at = NULL`,
        values: [keys, keys.map((k) => latest.get(k))],
      });
    },
  };
}
