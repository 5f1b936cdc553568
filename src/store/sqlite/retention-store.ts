import type Database from "better-sqlite3";
import type { PruneCounts, RetentionStore } from "../store.js";

/** History points kept per finding however old they are: the drift chart and hysteresis read this many. */
export const KEPT_EVALUATIONS_PER_FINDING = 200;

/** Rows deleted per transaction, so the intake and the jobs never wait long for the write lock. */
const BATCH = 10_000;

/**
 * Runs `statement` batch after batch until it deletes fewer than BATCH rows; returns the total. Each
 * batch starts after the highest rowid the previous one deleted (keyset paging), so the table is
 * read once however many batches there are. Yields to the event loop between batches:
 * better-sqlite3 is synchronous, and the webhook server shares this process.
 */
async function inBatches(
  statement: Database.Statement<unknown[], { rowid: number }>,
  ...args: number[]
): Promise<number> {
  let total = 0;
  let after = 0;
  for (;;) {
    const deleted = statement.all(after, ...args, BATCH);
    total += deleted.length;
    if (deleted.length < BATCH) return total;
    after = Math.max(...deleted.map((row) => row.rowid));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Deletes what Backflow no longer needs once it is older than the retention window: processed
 * signals (but never a finding's latest one, which re-triage reads) and the deliveries left without
 * signals, finished jobs, expired leases, and history points beyond the newest
 * KEPT_EVALUATIONS_PER_FINDING of each finding. Pending work, dead-lettered jobs (they wait for a
 * person), findings, annotations, expectations and the audit log are never pruned. Deletes run in
 * small transactions; SQLite reuses the freed pages (the file does not shrink without VACUUM).
 */
export function createSqliteRetentionStore(db: Database.Database): RetentionStore {
  const signals = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM signals WHERE rowid IN (
       SELECT rowid FROM signals WHERE rowid > ? AND state = 'processed' AND received_at < ?
         AND NOT (fingerprint IS NOT NULL AND observed_at = (
           SELECT MAX(s.observed_at) FROM signals s WHERE s.repo = signals.repo AND s.fingerprint = signals.fingerprint))
       ORDER BY rowid LIMIT ?) RETURNING rowid`,
  );
  const deliveries = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM signal_deliveries WHERE rowid IN (
       SELECT rowid FROM signal_deliveries d WHERE rowid > ? AND d.state = 'processed' AND d.received_at < ?
         AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.source = d.source AND s.delivery_id = d.delivery_id)
       ORDER BY rowid LIMIT ?) RETURNING rowid`,
  );
  const jobs = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM jobs WHERE rowid IN (
       SELECT rowid FROM jobs WHERE rowid > ? AND state = 'done' AND updated_at < ? ORDER BY rowid LIMIT ?)
     RETURNING rowid`,
  );
  const leases = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM leases WHERE rowid IN (
       SELECT rowid FROM leases WHERE rowid > ? AND expires_at < ? ORDER BY rowid LIMIT ?)
     RETURNING rowid`,
  );
  const evaluations = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM finding_evaluations WHERE rowid IN (
       SELECT id FROM (
         SELECT rowid AS id, observed_at, ROW_NUMBER() OVER (PARTITION BY repo, fingerprint ORDER BY observed_at DESC) AS newest
         FROM finding_evaluations)
       WHERE id > ? AND observed_at < ? AND newest > ? ORDER BY id LIMIT ?)
     RETURNING rowid`,
  );
  return {
    async prune({ before, now }) {
      const cutoff = before.getTime();
      const counts: PruneCounts = {
        signals: await inBatches(signals, cutoff),
        deliveries: await inBatches(deliveries, cutoff),
        jobs: await inBatches(jobs, cutoff),
        leases: await inBatches(leases, now.getTime()),
        evaluations: await inBatches(evaluations, cutoff, KEPT_EVALUATIONS_PER_FINDING),
      };
      return counts;
    },
  };
}
