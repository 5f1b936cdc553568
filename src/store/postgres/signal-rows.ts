/** Rows of signal_deliveries and signals as the signal store reads them. */
import type { Signal, SkippedItem } from "../../core/signals/signal-schema.js";
import type { SignalDelivery, SignalState, StoredSignal } from "../store.js";
import type { Queryable } from "./pg-db.js";

export type DeliveryRow = {
  source: string;
  delivery_id: string;
  repo: string;
  format: string;
  signal_count: number;
  job_id: string;
  state: SignalState;
  received_at: Date;
  processed_at: Date | null;
  skipped: unknown;
};

export type SignalRow = {
  signal_id: string;
  delivery_id: string;
  source: string;
  repo: string;
  fingerprint: string | null;
  state: SignalState;
  payload: unknown;
};

export const DELIVERY_COLUMNS =
  "source, delivery_id, repo, format, signal_count, job_id, state, received_at, processed_at, skipped";
/** One delivery by its key; one named statement shared by the duplicate check and getDelivery. */
export const deliveryById = (source: string, deliveryId: string) => ({
  name: "bf_delivery_get",
  text: `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries WHERE source = $1 AND delivery_id = $2`,
  values: [source, deliveryId],
});

export const SIGNAL_COLUMNS = "signal_id, delivery_id, source, repo, fingerprint, state, payload";

export function toDelivery(row: DeliveryRow): SignalDelivery {
  return {
    source: row.source,
    deliveryId: row.delivery_id,
    repo: row.repo,
    format: row.format,
    signalCount: row.signal_count,
    jobId: row.job_id,
    state: row.state,
    receivedAt: row.received_at,
    processedAt: row.processed_at,
    skipped: row.skipped as SkippedItem[],
  };
}

export function toStoredSignal(row: SignalRow): StoredSignal {
  return {
    signalId: row.signal_id,
    deliveryId: row.delivery_id,
    source: row.source,
    repo: row.repo,
    fingerprint: row.fingerprint,
    state: row.state,
    // Written by recordDelivery from a validated Signal; the shape is the one stored.
    signal: row.payload as Signal,
  };
}

/** The signals of one delivery, in signal time. */
export async function signalsOf(client: Queryable, source: string, deliveryId: string): Promise<SignalRow[]> {
  const { rows } = await client.query<SignalRow>({
    name: "bf_signals_of",
    text: `SELECT ${SIGNAL_COLUMNS} FROM signals WHERE source = $1 AND delivery_id = $2 ORDER BY observed_at, signal_id`,
    values: [source, deliveryId],
  });
  return rows;
}
