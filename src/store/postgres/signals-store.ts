import {
  DELIVERY_COLUMNS,
  type DeliveryRow,
  POINT_COLUMNS,
  type PointRow,
  pointFromRow,
} from "../rows/signal-rows.js";
import type { SignalSourceCount, SignalStore } from "../store.js";
import { pgColumns } from "./columns.js";
import type { PgDb } from "./pg-db.js";
import { createRecordDelivery, type EnqueueWith } from "./record-delivery.js";
import { deliveryById, signalsOf, toDelivery, toStoredSignal } from "./signal-rows.js";

export type { EnqueueWith } from "./record-delivery.js";

const toPoint = pointFromRow(pgColumns);

/**
 * Signals and their deliveries on PostgreSQL: recording a delivery (record-delivery.ts) and what
 * triage, recovery, history charts and the dashboard read.
 */
export function createPgSignalStore(db: PgDb, enqueueWith: EnqueueWith): SignalStore {
  return {
    recordDelivery: createRecordDelivery(db, enqueueWith),
    async getDelivery({ source, deliveryId }) {
      const { rows } = await db.query<DeliveryRow>(deliveryById(source, deliveryId));
      const row = rows[0];
      if (!row) return null;
      return {
        delivery: toDelivery(row),
        signals: (await signalsOf(db, source, deliveryId)).map(toStoredSignal),
      };
    },
    async pendingDeliveries(input = {}) {
      const { rows } = await db.query<DeliveryRow>({
        name: "bf_deliveries_pending",
        text: `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries WHERE state = 'pending'
               ORDER BY received_at, source, delivery_id LIMIT $1`,
        values: [input.limit ?? 1000],
      });
      return rows.map(toDelivery);
    },
    async markProcessed({ source, deliveryId, now, fingerprints = [] }) {
      return db.transaction(async (client) => {
        // A signal listed twice keeps its last fingerprint, as one update after another would.
        const latest = new Map(fingerprints.map((f) => [f.signalId, f.fingerprint]));
        if (latest.size > 0) {
          await client.query({
            name: "bf_signals_set_fingerprints",
            text: `UPDATE signals SET fingerprint = f.fingerprint
                   FROM unnest($1::text[], $2::text[]) AS f(signal_id, fingerprint)
                   WHERE signals.source = $3 AND signals.delivery_id = $4 AND signals.signal_id = f.signal_id`,
            values: [[...latest.keys()], [...latest.values()], source, deliveryId],
          });
        }
        await client.query({
          name: "bf_signals_mark_processed",
          text: "UPDATE signals SET state = 'processed' WHERE source = $1 AND delivery_id = $2 AND state = 'pending'",
          values: [source, deliveryId],
        });
        const result = await client.query({
          name: "bf_delivery_mark_processed",
          text: `UPDATE signal_deliveries SET state = 'processed', processed_at = $1
                 WHERE source = $2 AND delivery_id = $3 AND state = 'pending'`,
          values: [now, source, deliveryId],
        });
        return result.rowCount === 1;
      });
    },
    async history(input) {
      const limit = input.limit ?? 100;
      const before = input.before ?? null;
      const { rows } =
        "fingerprint" in input
          ? await db.query<PointRow>({
              name: "bf_history_fingerprint",
              text: `SELECT ${POINT_COLUMNS} FROM signals
                     WHERE repo = $1 AND fingerprint = $2 AND observed_at < COALESCE($3::timestamptz, 'infinity')
                     ORDER BY observed_at DESC, signal_id DESC, source DESC LIMIT $4`,
              values: [input.repo, input.fingerprint, before, limit],
            })
          : await db.query<PointRow>({
              name: "bf_history_metric",
              text: `SELECT ${POINT_COLUMNS} FROM signals
                     WHERE repo = $1 AND dataset = $2 AND column_name = $3 AND metric = $4
                       AND observed_at < COALESCE($5::timestamptz, 'infinity')
                     ORDER BY observed_at DESC, signal_id DESC, source DESC LIMIT $6`,
              values: [input.repo, input.dataset, input.column ?? "", input.metric, before, limit],
            });
      // Newest `limit` points, returned oldest first for charts.
      return rows.reverse().map(toPoint);
    },
    async countBySource({ repo, since }): Promise<SignalSourceCount[]> {
      const { rows } = await db.query<SignalSourceCount>({
        name: "bf_signals_count_by_source",
        text: `SELECT source, COUNT(*)::int AS signals, COUNT(DISTINCT delivery_id)::int AS deliveries FROM signals
               WHERE repo = $1 AND received_at >= $2 GROUP BY source ORDER BY source`,
        values: [repo, since],
      });
      return rows;
    },
  };
}
