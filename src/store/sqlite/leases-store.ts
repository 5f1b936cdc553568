import type Database from "better-sqlite3";
import type { LeaseStore } from "../store.js";

/**
 * Named leases that serialize work per target (repository + PR, repository + fingerprint).
 * One upsert decides: a free or expired lease is taken; the holder re-acquiring extends it.
 */
export function createSqliteLeaseStore(db: Database.Database): LeaseStore {
  const acquire = db.prepare<[string, string, number, number], { owner: string }>(
    `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE leases.expires_at <= ? OR leases.owner = excluded.owner
     RETURNING owner`,
  );
  const release = db.prepare("DELETE FROM leases WHERE name = ? AND owner = ?");
  const renew = db.prepare(
    "UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND expires_at > ?",
  );
  return {
    async acquire({ name, owner, now, ttlMs }) {
      const row = acquire.get(name, owner, now.getTime() + ttlMs, now.getTime());
      return row !== undefined;
    },
    async renew({ name, owner, now, ttlMs }) {
      return renew.run(now.getTime() + ttlMs, name, owner, now.getTime()).changes === 1;
    },
    async release({ name, owner }) {
      release.run(name, owner);
    },
  };
}
