/** Rows of signal_deliveries and signals as both signal stores read them. */
import { SignalError } from "../../core/errors.js";
import type { Signal, SkippedItem } from "../../core/signals/signal-schema.js";
import type { MeasurementPoint, SignalDelivery, SignalState, StoredSignal } from "../store.js";
import type { ColumnReader } from "./column-reader.js";

/** A `signal_deliveries` row; `unknown` columns are read through the backend's ColumnReader. */
export type DeliveryRow = {
  source: string;
  delivery_id: string;
  repo: string;
  format: string;
  signal_count: number;
  job_id: string;
  state: SignalState;
  received_at: unknown;
  processed_at: unknown;
  skipped: unknown;
};

/** A `signals` row as a stored signal. */
export type SignalRow = {
  signal_id: string;
  delivery_id: string;
  source: string;
  repo: string;
  fingerprint: string | null;
  state: SignalState;
  payload: unknown;
};

/** A `signals` row as a point of a measurement series. */
export type PointRow = {
  signal_id: string;
  source: string;
  delivery_id: string;
  observed_at: unknown;
  value: number | null;
  status: "firing" | "resolved";
  severity: string;
};

export const DELIVERY_COLUMNS =
  "source, delivery_id, repo, format, signal_count, job_id, state, received_at, processed_at, skipped";
export const SIGNAL_COLUMNS = "signal_id, delivery_id, source, repo, fingerprint, state, payload";
export const POINT_COLUMNS = "signal_id, source, delivery_id, observed_at, value, status, severity";

export function deliveryFromRow(read: ColumnReader): (row: DeliveryRow) => SignalDelivery {
  return (row) => ({
    source: row.source,
    deliveryId: row.delivery_id,
    repo: row.repo,
    format: row.format,
    signalCount: row.signal_count,
    jobId: row.job_id,
    state: row.state,
    receivedAt: read.date(row.received_at),
    processedAt: read.dateOrNull(row.processed_at),
    // Written by recordDelivery from validated skipped items.
    skipped: read.json(row.skipped) as SkippedItem[],
  });
}

export function storedSignalFromRow(read: ColumnReader): (row: SignalRow) => StoredSignal {
  return (row) => ({
    signalId: row.signal_id,
    deliveryId: row.delivery_id,
    source: row.source,
    repo: row.repo,
    fingerprint: row.fingerprint,
    state: row.state,
    // Written by recordDelivery from a validated Signal; the shape is the one stored.
    signal: read.json(row.payload) as Signal,
  });
}

export function pointFromRow(read: ColumnReader): (row: PointRow) => MeasurementPoint {
  return (row) => ({
    signalId: row.signal_id,
    source: row.source,
    deliveryId: row.delivery_id,
    observedAt: read.date(row.observed_at),
    value: row.value,
    status: row.status,
    severity: row.severity,
  });
}

/** The 409 for a delivery reusing signal ids for other observations (nothing of it is stored). */
export function signalConflictError(conflicts: readonly string[]): SignalError {
  const listed = conflicts.slice(0, 5).join("; ");
  return new SignalError(
    `${conflicts.length} signal id(s) were already received with a different observation: ${listed}. ` +
      "A signal id names one observation; give a new observation a new id. Nothing of this delivery was stored.",
    409,
    "id",
  );
}
