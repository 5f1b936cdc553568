import type Database from "better-sqlite3";
import { compareSignals } from "../../core/signals/compare-signals.js";
import {
  DELIVERY_COLUMNS,
  type DeliveryRow,
  deliveryFromRow,
  POINT_COLUMNS,
  type PointRow,
  pointFromRow,
  SIGNAL_COLUMNS,
  type SignalRow,
  signalConflictError,
  storedSignalFromRow,
} from "../rows/signal-rows.js";
import type { RecordDeliveryInput, RecordDeliveryResult, SignalSourceCount, SignalStore } from "../store.js";
import { sqliteColumns, toJson, toMs } from "./columns.js";
import { prepareJobInsert } from "./jobs-store.js";

const toDelivery = deliveryFromRow(sqliteColumns);
const toStoredSignal = storedSignalFromRow(sqliteColumns);
const toPoint = pointFromRow(sqliteColumns);

function prepareStatements(db: Database.Database) {
  return {
    insertDelivery: db.prepare(
      `INSERT INTO signal_deliveries (${DELIVERY_COLUMNS}, raw_body)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, NULL, ?, ?) ON CONFLICT (source, delivery_id) DO NOTHING`,
    ),
    insertSignal: db.prepare(
      `INSERT INTO signals (source, signal_id, delivery_id, repo, dataset, column_name, metric, value, signal_type,
         status, severity, observed_at, received_at, fingerprint, state, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'pending', ?) ON CONFLICT (source, signal_id) DO NOTHING`,
    ),
    // The jobs store's own insert, inside this transaction so the job commits with the delivery.
    insertJob: prepareJobInsert(db),
    delivery: db.prepare<[string, string], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries WHERE source = ? AND delivery_id = ?`,
    ),
    // Ids of one body share a prefix: a range scan over the primary key, newest first.
    recentByPrefix: db.prepare<[string, string, string, number], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries
       WHERE source = ? AND delivery_id >= ? AND delivery_id < ? AND received_at >= ?
       ORDER BY received_at DESC LIMIT 1`,
    ),
    storedSignal: db.prepare<[string, string], SignalRow>(
      `SELECT ${SIGNAL_COLUMNS} FROM signals
       WHERE source = ? AND signal_id = ?`,
    ),
    remapSignal: db.prepare(
      `UPDATE signals SET delivery_id = ?, dataset = ?, column_name = ?, metric = ?, payload = ?,
         fingerprint = NULL, state = 'pending' WHERE source = ? AND signal_id = ?`,
    ),
    signalsOf: db.prepare<[string, string], SignalRow>(
      `SELECT ${SIGNAL_COLUMNS} FROM signals
       WHERE source = ? AND delivery_id = ? ORDER BY observed_at, signal_id`,
    ),
    pending: db.prepare<[number], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM signal_deliveries WHERE state = 'pending'
       ORDER BY received_at, source, delivery_id LIMIT ?`,
    ),
    markDelivery: db.prepare(
      `UPDATE signal_deliveries SET state = 'processed', processed_at = ?
       WHERE source = ? AND delivery_id = ? AND state = 'pending'`,
    ),
    markSignals: db.prepare(
      "UPDATE signals SET state = 'processed' WHERE source = ? AND delivery_id = ? AND state = 'pending'",
    ),
    setFingerprint: db.prepare(
      "UPDATE signals SET fingerprint = ? WHERE source = ? AND delivery_id = ? AND signal_id = ?",
    ),
    historyByFingerprint: db.prepare<[string, string, number, number], PointRow>(
      `SELECT ${POINT_COLUMNS} FROM signals WHERE repo = ? AND fingerprint = ? AND observed_at < ?
       ORDER BY observed_at DESC, signal_id DESC, source DESC LIMIT ?`,
    ),
    historyByMetric: db.prepare<[string, string, string, string, number, number], PointRow>(
      `SELECT ${POINT_COLUMNS} FROM signals
       WHERE repo = ? AND dataset = ? AND column_name = ? AND metric = ? AND observed_at < ?
       ORDER BY observed_at DESC, signal_id DESC, source DESC LIMIT ?`,
    ),
    countBySource: db.prepare<[string, number], { source: string; signals: number; deliveries: number }>(
      `SELECT source, COUNT(*) AS signals, COUNT(DISTINCT delivery_id) AS deliveries FROM signals
       WHERE repo = ? AND received_at >= ? GROUP BY source ORDER BY source`,
    ),
  };
}

type Stored = Pick<RecordDeliveryResult, "signalIds" | "alreadyReceived" | "remapped">;
type Statements = ReturnType<typeof prepareStatements>;

/**
 * Insert the signals of one delivery. A known id is compared with the stored signal: unchanged →
 * already received; only its mapping changed → updated and moved to this delivery for triage;
 * what it observed changed → SignalError 409 (the caller's savepoint rolls the delivery back).
 */
function insertSignals(statements: Statements, input: RecordDeliveryInput): Stored {
  const stored: Stored = { signalIds: [], alreadyReceived: [], remapped: [] };
  const receivedAt = toMs(input.receivedAt);
  const conflicts: string[] = [];
  for (const signal of input.signals) {
    const columns = [signal.dataset.name, signal.column ?? "", signal.measurement?.metric ?? ""] as const;
    const inserted = statements.insertSignal.run(
      input.source,
      signal.id,
      input.deliveryId,
      input.repo,
      ...columns,
      signal.measurement?.value ?? null,
      signal.type,
      signal.status,
      signal.severity,
      Date.parse(signal.observedAt),
      receivedAt,
      toJson(signal),
    );
    if (inserted.changes === 1) {
      stored.signalIds.push(signal.id);
      continue;
    }
    const row = statements.storedSignal.get(input.source, signal.id);
    if (!row) continue;
    const difference = compareSignals(toStoredSignal(row).signal, signal);
    if (difference.observation.length > 0) {
      conflicts.push(`${signal.id} (${difference.observation.join("; ")})`);
    } else if (difference.mapping.length > 0 && row.repo === input.repo) {
      statements.remapSignal.run(input.deliveryId, ...columns, toJson(signal), input.source, signal.id);
      stored.signalIds.push(signal.id);
      stored.remapped.push(signal.id);
    } else {
      stored.alreadyReceived.push(signal.id);
    }
  }
  if (conflicts.length > 0) throw signalConflictError(conflicts);
  return stored;
}

function findDuplicate(statements: Statements, input: RecordDeliveryInput): DeliveryRow | undefined {
  const byId = statements.delivery.get(input.source, input.deliveryId);
  if (byId || !input.dedupe) return byId;
  const { idPrefix, since } = input.dedupe;
  return statements.recentByPrefix.get(input.source, idPrefix, `${idPrefix}\uffff`, toMs(since));
}

/**
 * Signals and their deliveries on SQLite. `recordDelivery` stores the raw body, the delivery, its
 * signals and the job that will triage them in ONE immediate transaction: once it returns, a crash
 * loses nothing, and a replayed delivery id finds the first one instead of storing twice.
 */
export function createSqliteSignalStore(db: Database.Database): SignalStore {
  const statements = prepareStatements(db);

  // Called inside the batch transaction, so each delivery is its own savepoint.
  const recordOne = db.transaction((input: RecordDeliveryInput): RecordResult => {
    const existing = findDuplicate(statements, input);
    if (existing) {
      const signals = statements.signalsOf.all(existing.source, existing.delivery_id);
      const signalIds = signals.map((s) => s.signal_id);
      return {
        duplicate: true,
        delivery: toDelivery(existing),
        signalIds,
        alreadyReceived: [],
        remapped: [],
      };
    }
    const stored = insertSignals(statements, input);
    const jobId = statements.insertJob(input.job).job.id;
    statements.insertDelivery.run(
      input.source,
      input.deliveryId,
      input.repo,
      input.format,
      stored.signalIds.length,
      jobId,
      toMs(input.receivedAt),
      toJson(input.skipped ?? []),
      typeof input.rawBody === "string" ? input.rawBody : input.rawBody.toString("utf8"),
    );
    const created = statements.delivery.get(input.source, input.deliveryId);
    if (!created) throw new Error(`delivery ${input.deliveryId} was not stored`);
    return { duplicate: false, delivery: toDelivery(created), ...stored };
  });

  const markTx = db.transaction(
    (input: {
      source: string;
      deliveryId: string;
      now: Date;
      fingerprints: ReadonlyArray<FingerprintInput>;
    }) => {
      for (const { signalId, fingerprint } of input.fingerprints) {
        statements.setFingerprint.run(fingerprint, input.source, input.deliveryId, signalId);
      }
      statements.markSignals.run(input.source, input.deliveryId);
      return statements.markDelivery.run(toMs(input.now), input.source, input.deliveryId).changes === 1;
    },
  );

  return {
    recordDelivery: createGroupCommit(db, recordOne),
    async getDelivery({ source, deliveryId }) {
      const row = statements.delivery.get(source, deliveryId);
      if (!row) return null;
      return {
        delivery: toDelivery(row),
        signals: statements.signalsOf.all(source, deliveryId).map(toStoredSignal),
      };
    },
    async pendingDeliveries(input = {}) {
      return statements.pending.all(input.limit ?? 1000).map(toDelivery);
    },
    async markProcessed({ source, deliveryId, now, fingerprints = [] }) {
      return markTx.immediate({ source, deliveryId, now, fingerprints });
    },
    async history(input) {
      const limit = input.limit ?? 100;
      const before = input.before ? toMs(input.before) : Number.MAX_SAFE_INTEGER;
      const rows =
        "fingerprint" in input
          ? statements.historyByFingerprint.all(input.repo, input.fingerprint, before, limit)
          : statements.historyByMetric.all(
              input.repo,
              input.dataset,
              input.column ?? "",
              input.metric,
              before,
              limit,
            );
      // Newest `limit` points, returned oldest first for charts.
      return rows.reverse().map(toPoint);
    },
    async countBySource({ repo, since }): Promise<SignalSourceCount[]> {
      return statements.countBySource.all(repo, toMs(since));
    },
  };
}

type RecordResult = RecordDeliveryResult;
type Waiting = {
  readonly input: RecordDeliveryInput;
  readonly resolve: (result: RecordResult) => void;
  readonly reject: (error: unknown) => void;
};

/**
 * Group commit: deliveries that arrive in the same event-loop turn share one transaction (one WAL
 * commit), each in its own savepoint so one bad delivery does not fail the others. Every caller's
 * promise settles only after the shared commit, so "resolved" still means "durable".
 */
function createGroupCommit(
  db: Database.Database,
  recordOne: (input: RecordDeliveryInput) => RecordResult,
): (input: RecordDeliveryInput) => Promise<RecordResult> {
  let queue: Waiting[] = [];
  const runBatch = db.transaction((batch: readonly Waiting[]) =>
    batch.map((item): { ok: true; result: RecordResult } | { ok: false; error: unknown } => {
      try {
        return { ok: true, result: recordOne(item.input) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const flush = (): void => {
    const batch = queue;
    queue = [];
    let outcomes: ReturnType<typeof runBatch>;
    try {
      outcomes = runBatch.immediate(batch);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const item = batch[index];
      if (!item) return;
      if (outcome.ok) item.resolve(outcome.result);
      else item.reject(outcome.error);
    });
  };
  return (input) =>
    new Promise((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (queue.length === 1) setImmediate(flush);
    });
}

type FingerprintInput = { readonly signalId: string; readonly fingerprint: string };
