/** Statements over signal_deliveries and signals shared by the PostgreSQL signal store's parts. */
import {
  DELIVERY_COLUMNS,
  deliveryFromRow,
  SIGNAL_COLUMNS,
  type SignalRow,
  storedSignalFromRow,
} from "../rows/signal-rows.js";
import { pgColumns } from "./columns.js";
import type { Queryable } from "./pg-db.js";

export const toDelivery = deliveryFromRow(pgColumns);
export const toStoredSignal = storedSignalFromRow(pgColumns);

/** One delivery by its key; one named statement shared by the duplicate check and getDelivery. */
export const deliveryById = (source: string, deliveryId: string) => ({
  name: "bf_delivery_get",
  text: `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries WHERE source = $1 AND delivery_id = $2`,
  values: [source, deliveryId],
});

/** The signals of one delivery, in signal time. */
export async function signalsOf(client: Queryable, source: string, deliveryId: string): Promise<SignalRow[]> {
  const { rows } = await client.query<SignalRow>({
    name: "bf_signals_of",
    text: `SELECT ${SIGNAL_COLUMNS} FROM signals WHERE source = $1 AND delivery_id = $2 ORDER BY observed_at, signal_id`,
    values: [source, deliveryId],
  });
  return rows;
}
