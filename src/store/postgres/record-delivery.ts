import type pg from "pg";
import { SignalError } from "../../core/errors.js";
import { compareSignals } from "../../core/signals/compare-signals.js";
import type { Signal } from "../../core/signals/signal-schema.js";
import { DELIVERY_COLUMNS, type DeliveryRow, signalConflictError } from "../rows/signal-rows.js";
import type { EnqueueInput, JobRecord, RecordDeliveryInput, RecordDeliveryResult } from "../store.js";
import { toJson } from "./columns.js";
import type { PgDb } from "./pg-db.js";
import { deliveryById, signalsOf, toDelivery } from "./signal-rows.js";

/** How the signal store enqueues a delivery's triage job inside its own transaction. */
export type EnqueueWith = (
  client: pg.PoolClient,
  input: EnqueueInput,
) => Promise<{ job: JobRecord; created: boolean }>;

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

async function findDuplicate(
  client: pg.PoolClient,
  input: RecordDeliveryInput,
): Promise<DeliveryRow | undefined> {
  const byId = await client.query<DeliveryRow>(deliveryById(input.source, input.deliveryId));
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
}

/**
 * Inserts the signals of one delivery (new ids in one statement) and compares known ids with what
 * is stored, exactly as inserting them one after another would: unchanged → already received;
 * only the mapping changed → updated and moved to this delivery; the observation changed → 409.
 */
async function insertSignals(client: pg.PoolClient, input: RecordDeliveryInput): Promise<Stored> {
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
  if (conflicts.length > 0) throw signalConflictError(conflicts);
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
}

const recordOnce = (
  db: PgDb,
  enqueueWith: EnqueueWith,
  input: RecordDeliveryInput,
): Promise<RecordDeliveryResult> =>
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

/**
 * Records a delivery as SignalStore.recordDelivery says: the raw body, the delivery, its signals
 * and the job that will triage them (through the queue's `enqueueWith`, on the same client) in ONE
 * transaction. Deliveries of one id (or one body) are serialised across instances by a
 * transaction-scoped advisory lock; a deadlock or a lost race is retried whole.
 */
export function createRecordDelivery(
  db: PgDb,
  enqueueWith: EnqueueWith,
): (input: RecordDeliveryInput) => Promise<RecordDeliveryResult> {
  return async (input) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await recordOnce(db, enqueueWith, input);
      } catch (error) {
        if (attempt < ATTEMPTS && retryable(error)) continue;
        throw nulRefused(error) ?? error;
      }
    }
  };
}
