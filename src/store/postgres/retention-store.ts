import { FINISHED_WORK_KEYS, KEPT_EVALUATIONS_PER_FINDING } from "../rows/retention-policy.js";
import type { PruneCounts, RetentionStore } from "../store.js";
import type { PgDb } from "./pg-db.js";

/** Rows deleted per statement, so no transaction holds many row locks or a long snapshot. */
const BATCH = 5_000;

/** Runs a DELETE … LIMIT-style statement (it must delete at most BATCH rows) until it deletes fewer. */
async function inBatches(db: PgDb, text: string, values: unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.query(text, [...values, BATCH]);
    const deleted = result.rowCount ?? 0;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/**
 * Deletes what Backflow no longer needs once it is older than the retention window, with the same
 * rules as the SQLite store (see its comment): processed signals except each finding's latest,
 * deliveries left without signals, finished jobs (through `pruneJobs`, the queue's own), expired
 * leases, history beyond the newest KEPT_EVALUATIONS_PER_FINDING per finding, parse cache entries
 * unused since `before`, finished-work repo_state rows, ended canaries whose window closed before
 * `before`, and audit entries before `auditBefore`.
 * Each batch is its own statement (autocommit), so intake on other instances never waits long.
 */
export function createPgRetentionStore(
  db: PgDb,
  pruneJobs: (before: Date) => Promise<number>,
): RetentionStore {
  const finished = FINISHED_WORK_KEYS.map((prefix) => `starts_with(state_key, '${prefix}')`).join(" OR ");
  return {
    async prune({ before, now, auditBefore }) {
      // Entries read or written since the last prune were last used "now".
      await db.query("UPDATE parse_cache SET last_used_at = $1 WHERE last_used_at IS NULL", [now]);
      const signals = await inBatches(
        db,
        `DELETE FROM signals WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM signals s WHERE s.state = 'processed' AND s.received_at < $1
             AND NOT (s.fingerprint IS NOT NULL AND s.observed_at = (
               SELECT MAX(l.observed_at) FROM signals l WHERE l.repo = s.repo AND l.fingerprint = s.fingerprint))
           LIMIT $2))`,
        [before],
      );
      const deliveries = await inBatches(
        db,
        `DELETE FROM signal_deliveries WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM signal_deliveries d WHERE d.state = 'processed' AND d.received_at < $1
             AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.source = d.source AND s.delivery_id = d.delivery_id)
           LIMIT $2))`,
        [before],
      );
      const jobs = await pruneJobs(before);
      const leases = await inBatches(
        db,
        "DELETE FROM leases WHERE ctid = ANY(ARRAY(SELECT ctid FROM leases WHERE expires_at < $1 LIMIT $2))",
        [now],
      );
      const evaluations = await inBatches(
        db,
        `DELETE FROM finding_evaluations WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM (
             SELECT ctid, observed_at,
               ROW_NUMBER() OVER (PARTITION BY repo, fingerprint ORDER BY observed_at DESC) AS newest
             FROM finding_evaluations) AS ranked
           WHERE observed_at < $1 AND newest > $2 LIMIT $3))`,
        [before, KEPT_EVALUATIONS_PER_FINDING],
      );
      const parseCache = await inBatches(
        db,
        "DELETE FROM parse_cache WHERE ctid = ANY(ARRAY(SELECT ctid FROM parse_cache WHERE last_used_at < $1 LIMIT $2))",
        [before],
      );
      const repoState = await inBatches(
        db,
        `DELETE FROM repo_state WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM repo_state WHERE updated_at < $1 AND (${finished}) LIMIT $2))`,
        [before],
      );
      const canaries = await inBatches(
        db,
        `DELETE FROM canaries WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM canaries WHERE ended AND window_ends < $1 LIMIT $2))`,
        [before],
      );
      const audit = auditBefore
        ? await inBatches(
            db,
            "DELETE FROM audit_log WHERE ctid = ANY(ARRAY(SELECT ctid FROM audit_log WHERE at < $1 LIMIT $2))",
            [auditBefore],
          )
        : 0;
      const counts: PruneCounts = {
        signals,
        deliveries,
        jobs,
        leases,
        evaluations,
        parseCache,
        repoState,
        audit,
        canaries,
      };
      return counts;
    },
  };
}
