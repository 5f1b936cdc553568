import type pg from "pg";
import { SignalError } from "../../core/errors.js";
import { compareSignals } from "../../core/signals/compare-signals.js";
import type { Signal, SkippedItem } from "../../core/signals/signal-schema.js";
import type {
  EnqueueInput,
  JobRecord,
  MeasurementPoint,
  RecordDeliveryInput,
  RecordDeliveryResult,
  SignalDelivery,
  SignalSourceCount,
  SignalState,
  SignalStore,
  StoredSignal,
} from "../store.js";
import { toJson } from "./columns.js";
import type { PgDb, Queryable } from "./pg-db.js";

/** How the signal store enqueues a delivery's triage job inside its own transaction. */
export type EnqueueWith = (
  client: pg.PoolClient,
  input: EnqueueInput,
) => Promise<{ job: JobRecord; created: boolean }>;

type DeliveryRow = {
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

type SignalRow = {
  signal_id: string;
  delivery_id: string;
  source: string;
  repo: string;
  fingerprint: string | null;
  state: SignalState;
  payload: unknown;
};

type PointRow = {
  signal_id: string;
  source: string;
  delivery_id: string;
  observed_at: Date;
  value: number | null;
  status: "firing" | "resolved";
  severity: string;
};

const DELIVERY_COLUMNS =
  "source, delivery_id, repo, format, signal_count, job_id, state, received_at, processed_at, skipped";
const SIGNAL_COLUMNS = "signal_id, delivery_id, source, repo, fingerprint, state, payload";
const POINT_COLUMNS = "signal_id, source, delivery_id, observed_at, value, status, severity";

function toDelivery(row: DeliveryRow): SignalDelivery {
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

function toStoredSignal(row: SignalRow): StoredSignal {
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

function toPoint(row: PointRow): MeasurementPoint {
  return {
    signalId: row.signal_id,
    source: row.source,
    deliveryId: row.delivery_id,
    observedAt: row.observed_at,
    value: row.value,
    status: row.status,
    severity: row.severity,
  };
}

function conflictError(conflicts: readonly string[]): SignalError {
  const listed = conflicts.slice(0, 5).join("; ");
  return new SignalError(
    `${conflicts.length} signal id(s) were already received with a different observation: ${listed}. ` +
      "A signal id names one observation; give a new observation a new id. Nothing of this delivery was stored.",
    409,
    "id",
  );
}

/** Another instance stored the same delivery between our duplicate check and our insert: run again. */
class DeliveryRace extends Error {}

/** Deadlocks and serialisation failures are safe to retry: the transaction rolled back whole. */
function retryable(error: unknown): boolean {
  if (error instanceof DeliveryRace) return true;
  const code = (error as { code?: unknown })?.code;
  return code === "40P01" || code === "40001";
}

/** PostgreSQL refuses NUL characters in text; say so instead of failing with a server error. */
function nulRefused(error: unknown): SignalError | undefined {
  const code = (error as { code?: unknown })?.code;
  if (code !== "22021" && code !== "22P05") return undefined;
  return new SignalError(
    "the delivery contains a NUL character (\\u0000) in a field Backflow stores as text (an id, a dataset, " +
      "a column or a metric name); remove it and send again. Nothing of this delivery was stored.",
    400,
  );
}

const ATTEMPTS = 4;

type Stored = { signalIds: string[]; alreadyReceived: string[]; remapped: string[] };

/** The columns of one signal, in the order of the insert's unnest arrays. */
function signalColumns(input: RecordDeliveryInput, signal: Signal) {
  return {
    id: signal.id,
    dataset: signal.dataset.name,
    column: signal.column ?? "",
    metric: signal.measurement?.metric ?? "",
    value: signal.measurement?.value ?? null,
    type: signal.type,
    status: signal.status,
    severity: signal.severity,
    observedAt: new Date(signal.observedAt),
    payload: toJson(signal),
    repo: input.repo,
  };
}

/**
 * Signals and their deliveries on PostgreSQL. `recordDelivery` stores the raw body, the delivery,
 * its signals and the job that will triage them (through the queue's `enqueueWith`, on the same
 * client) in ONE transaction: once it returns, a crash loses nothing, and a replayed delivery id,
 * on whichever instance it arrives, finds the first one instead of storing twice.
 */
export function createPgSignalStore(db: PgDb, enqueueWith: EnqueueWith): SignalStore {
  const findDuplicate = async (
    client: pg.PoolClient,
    input: RecordDeliveryInput,
  ): Promise<DeliveryRow | undefined> => {
    const byId = await client.query<DeliveryRow>({
      name: "bf_delivery_get",
      text: `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries WHERE source = $1 AND delivery_id = $2`,
      values: [input.source, input.deliveryId],
    });
    if (byId.rows[0] || !input.dedupe) return byId.rows[0];
    const { idPrefix, since } = input.dedupe;
    // Ids of one body share a prefix: a range scan over the primary key (byte order: COLLATE "C").
    const byPrefix = await client.query<DeliveryRow>({
      name: "bf_delivery_by_prefix",
      text: `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries
             WHERE source = $1 AND delivery_id >= $2 AND delivery_id < $3 AND received_at >= $4
             ORDER BY received_at DESC LIMIT 1`,
      values: [input.source, idPrefix, `${idPrefix}\uffff`, since],
    });
    return byPrefix.rows[0];
  };

  /**
   * Inserts the signals of one delivery (new ids in one statement) and compares known ids with what
   * is stored, exactly as inserting them one after another would: unchanged → already received;
   * only the mapping changed → updated and moved to this delivery; the observation changed → 409.
   */
  const insertSignals = async (client: pg.PoolClient, input: RecordDeliveryInput): Promise<Stored> => {
    const stored: Stored = { signalIds: [], alreadyReceived: [], remapped: [] };
    const firsts = new Map<string, ReturnType<typeof signalColumns>>();
    for (const signal of input.signals) {
      if (!firsts.has(signal.id)) firsts.set(signal.id, signalColumns(input, signal));
    }
    // Sorted ids: two deliveries sharing signal ids lock their rows in the same order.
    const rows = [...firsts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const inserted = new Set<string>();
    if (rows.length > 0) {
      const result = await client.query<{ signal_id: string }>({
        name: "bf_signals_insert",
        text: `INSERT INTO signals (source, signal_id, delivery_id, repo, dataset, column_name, metric, value,
                 signal_type, status, severity, observed_at, received_at, fingerprint, state, payload)
               SELECT $1, s.id, $2, $3, s.dataset, s.column_name, s.metric, s.value, s.type, s.status, s.severity,
                 s.observed_at, $4, NULL, 'pending', s.payload::json
               FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::text[], $11::text[],
                 $12::text[], $13::timestamptz[], $14::text[])
                 AS s(id, dataset, column_name, metric, value, type, status, severity, observed_at, payload)
               ON CONFLICT (source, signal_id) DO NOTHING
               RETURNING signal_id`,
        values: [
          input.source,
          input.deliveryId,
          input.repo,
          input.receivedAt,
          rows.map((r) => r.id),
          rows.map((r) => r.dataset),
          rows.map((r) => r.column),
          rows.map((r) => r.metric),
          rows.map((r) => r.value),
          rows.map((r) => r.type),
          rows.map((r) => r.status),
          rows.map((r) => r.severity),
          rows.map((r) => r.observedAt),
          rows.map((r) => r.payload),
        ],
      });
      for (const row of result.rows) inserted.add(row.signal_id);
    }
    // Known ids: read (and lock, for a remap) what another delivery stored.
    const known = new Map<string, { signal: Signal; repo: string }>();
    const others = rows.map((r) => r.id).filter((id) => !inserted.has(id));
    if (others.length > 0) {
      const result = await client.query<{ signal_id: string; repo: string; payload: unknown }>({
        name: "bf_signals_known",
        text: `SELECT signal_id, repo, payload FROM signals WHERE source = $1 AND signal_id = ANY($2::text[])
               ORDER BY signal_id FOR UPDATE`,
        values: [input.source, others],
      });
      for (const row of result.rows)
        known.set(row.signal_id, { signal: row.payload as Signal, repo: row.repo });
    }
    const remaps = new Map<string, Signal>();
    const conflicts: string[] = [];
    for (const signal of input.signals) {
      if (inserted.has(signal.id)) {
        // The first occurrence was inserted; a repeat in the same delivery compares with it.
        inserted.delete(signal.id);
        known.set(signal.id, { signal, repo: input.repo });
        stored.signalIds.push(signal.id);
        continue;
      }
      const current = known.get(signal.id);
      if (!current) continue;
      const difference = compareSignals(current.signal, signal);
      if (difference.observation.length > 0) {
        conflicts.push(`${signal.id} (${difference.observation.join("; ")})`);
      } else if (difference.mapping.length > 0 && current.repo === input.repo) {
        remaps.set(signal.id, signal);
        known.set(signal.id, { signal, repo: input.repo });
        stored.signalIds.push(signal.id);
        stored.remapped.push(signal.id);
      } else {
        stored.alreadyReceived.push(signal.id);
      }
    }
    if (conflicts.length > 0) throw conflictError(conflicts);
    for (const signal of remaps.values()) {
      const c = signalColumns(input, signal);
      await client.query({
        name: "bf_signal_remap",
        text: `UPDATE signals SET delivery_id = $1, dataset = $2, column_name = $3, metric = $4, payload = $5::json,
                 fingerprint = NULL, state = 'pending' WHERE source = $6 AND signal_id = $7`,
        values: [input.deliveryId, c.dataset, c.column, c.metric, c.payload, input.source, signal.id],
      });
    }
    return stored;
  };

  const signalsOf = async (client: Queryable, source: string, deliveryId: string) => {
    const { rows } = await client.query<SignalRow>({
      name: "bf_signals_of",
      text: `SELECT ${SIGNAL_COLUMNS} FROM signals WHERE source = $1 AND delivery_id = $2 ORDER BY observed_at, signal_id`,
      values: [source, deliveryId],
    });
    return rows;
  };

  const recordOnce = (input: RecordDeliveryInput): Promise<RecordDeliveryResult> =>
    db.transaction(async (client) => {
      // Serialises deliveries of one id (or one body, for senders without ids) across instances;
      // released at commit. Deliveries of other ids run in parallel.
      const lockKey = `signal-delivery:${input.source}:${input.dedupe?.idPrefix ?? input.deliveryId}`;
      await client.query({
        name: "bf_delivery_lock",
        text: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        values: [lockKey],
      });
      const existing = await findDuplicate(client, input);
      if (existing) {
        const signals = await signalsOf(client, existing.source, existing.delivery_id);
        return {
          duplicate: true,
          delivery: toDelivery(existing),
          signalIds: signals.map((s) => s.signal_id),
          alreadyReceived: [],
          remapped: [],
        };
      }
      const stored = await insertSignals(client, input);
      const { job } = await enqueueWith(client, input.job);
      const body = typeof input.rawBody === "string" ? Buffer.from(input.rawBody, "utf8") : input.rawBody;
      const created = await client.query<DeliveryRow>({
        name: "bf_delivery_insert",
        text: `INSERT INTO signal_deliveries (${DELIVERY_COLUMNS}, raw_body)
               VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, NULL, $8::json, $9)
               ON CONFLICT (source, delivery_id) DO NOTHING
               RETURNING ${DELIVERY_COLUMNS}`,
        values: [
          input.source,
          input.deliveryId,
          input.repo,
          input.format,
          stored.signalIds.length,
          job.id,
          input.receivedAt,
          toJson(input.skipped ?? []),
          body,
        ],
      });
      const row = created.rows[0];
      if (!row) throw new DeliveryRace(`delivery ${input.deliveryId} was stored concurrently`);
      return { duplicate: false, delivery: toDelivery(row), ...stored };
    });

  return {
    async recordDelivery(input) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await recordOnce(input);
        } catch (error) {
          if (attempt < ATTEMPTS && retryable(error)) continue;
          throw nulRefused(error) ?? error;
        }
      }
    },
    async getDelivery({ source, deliveryId }) {
      const { rows } = await db.query<DeliveryRow>({
        name: "bf_delivery_get",
        text: `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries WHERE source = $1 AND delivery_id = $2`,
        values: [source, deliveryId],
      });
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
                     ORDER BY observed_at DESC, signal_id DESC LIMIT $4`,
              values: [input.repo, input.fingerprint, before, limit],
            })
          : await db.query<PointRow>({
              name: "bf_history_metric",
              text: `SELECT ${POINT_COLUMNS} FROM signals
                     WHERE repo = $1 AND dataset = $2 AND column_name = $3 AND metric = $4
                       AND observed_at < COALESCE($5::timestamptz, 'infinity')
                     ORDER BY observed_at DESC, signal_id DESC LIMIT $6`,
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
