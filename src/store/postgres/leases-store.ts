import type { LeaseStore } from "../store.js";
import type { PgDb } from "./pg-db.js";

/**
 * Named leases that serialise work per target across instances. One upsert decides: a free or
 * expired lease is taken, the holder re-acquiring extends it; the row lock of the conflicting row
 * makes two instances racing for it see each other's commit, so exactly one wins.
 */
export function createPgLeaseStore(db: PgDb): LeaseStore {
  return {
    async acquire({ name, owner, now, ttlMs }) {
      const result = await db.query({
        name: "bf_lease_acquire",
        text: `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3)
               ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
               WHERE leases.expires_at <= $4 OR leases.owner = excluded.owner
               RETURNING owner`,
        values: [name, owner, new Date(now.getTime() + ttlMs), now],
      });
      return result.rowCount === 1;
    },
    async renew({ name, owner, now, ttlMs }) {
      const result = await db.query({
        name: "bf_lease_renew",
        text: "UPDATE leases SET expires_at = $1 WHERE name = $2 AND owner = $3 AND expires_at > $4",
        values: [new Date(now.getTime() + ttlMs), name, owner, now],
      });
      return result.rowCount === 1;
    },
    async release({ name, owner }) {
      await db.query({
        name: "bf_lease_release",
        text: "DELETE FROM leases WHERE name = $1 AND owner = $2",
        values: [name, owner],
      });
    },
  };
}
