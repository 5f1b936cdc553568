import type Database from "better-sqlite3";
import { FINISHED_WORK_KEYS, KEPT_EVALUATIONS_PER_FINDING } from "../rows/retention-policy.js";
import type { PruneCounts, RetentionStore } from "../store.js";
import { USED_SINCE_LAST_PRUNE } from "./parse-cache-store.js";

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
 * signals, finished jobs, expired leases, history points beyond the newest
 * KEPT_EVALUATIONS_PER_FINDING of each finding, parse cache entries unused since `before`, and
 * repo_state rows of finished work (FINISHED_WORK_KEYS), and post-merge canaries whose outcome is
 * stored and whose window ended before the cutoff (the review of that period has long been
 * published); audit entries older than `auditBefore`. Pending work, dead-lettered jobs (they wait
 * for a person), running canaries, findings, annotations and expectations are never pruned. Deletes run in small transactions; SQLite reuses the freed pages
 * (the file does not shrink without VACUUM).
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
  const stampUsed = db.prepare(
    `UPDATE parse_cache SET last_used_at = ? WHERE last_used_at = ${USED_SINCE_LAST_PRUNE}`,
  );
  const parseCache = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM parse_cache WHERE rowid IN (
       SELECT rowid FROM parse_cache WHERE rowid > ? AND last_used_at >= 0 AND last_used_at < ? ORDER BY rowid LIMIT ?)
     RETURNING rowid`,
  );
  const finished = FINISHED_WORK_KEYS.map((prefix) => `state_key LIKE '${prefix}%'`).join(" OR ");
  const repoState = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM repo_state WHERE rowid IN (
       SELECT rowid FROM repo_state WHERE rowid > ? AND updated_at < ? AND (${finished}) ORDER BY rowid LIMIT ?)
     RETURNING rowid`,
  );
  const canaries = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM canaries WHERE rowid IN (
       SELECT rowid FROM canaries WHERE rowid > ? AND ended = 1 AND window_ends < ? ORDER BY rowid LIMIT ?)
     RETURNING rowid`,
  );
  const audit = db.prepare<unknown[], { rowid: number }>(
    `DELETE FROM audit_log WHERE rowid IN (
       SELECT rowid FROM audit_log WHERE rowid > ? AND at < ? ORDER BY rowid LIMIT ?)
     RETURNING rowid`,
  );
  return {
    async prune({ before, now, auditBefore }) {
      const cutoff = before.getTime();
      // Entries read or written since the last prune were last used "now" (see parse-cache-store.ts).
      stampUsed.run(now.getTime());
      const counts: PruneCounts = {
        signals: await inBatches(signals, cutoff),
        deliveries: await inBatches(deliveries, cutoff),
        jobs: await inBatches(jobs, cutoff),
        leases: await inBatches(leases, now.getTime()),
        evaluations: await inBatches(evaluations, cutoff, KEPT_EVALUATIONS_PER_FINDING),
        parseCache: await inBatches(parseCache, cutoff),
        repoState: await inBatches(repoState, cutoff),
        audit: auditBefore ? await inBatches(audit, auditBefore.getTime()) : 0,
        canaries: await inBatches(canaries, cutoff),
      };
      return counts;
    },
  };
}
