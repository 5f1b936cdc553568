/**
 * Differential test: the same random sequence of signal-store calls on SQLite and on PostgreSQL
 * gives the same answers (duplicates, stored / already received / remapped ids, 409 conflicts) and
 * leaves the same deliveries, signals and history behind. Replay a failure with FUZZ_SEED / FUZZ_PATH.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import { openStore } from "../../../src/store/open-store.js";
import type { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { RecordDeliveryInput, Store } from "../../../src/store/store.js";
import { fuzzParameters, fuzzTimeoutMs } from "../../fuzz/fuzz-options.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/postgres.js";
import { emptyPostgres } from "./backends.js";

const t0 = Date.parse("2025-03-01T00:00:00Z");

type SignalSpec = { id: string; column: string; value: number; minute: number };
type Op =
  | {
      kind: "deliver";
      source: string;
      deliveryId: string;
      repo: string;
      signals: SignalSpec[];
      minute: number;
      /** A sender without message ids: the id is a body hash + time, deduplicated by prefix within 10 minutes. */
      bearer: string | null;
    }
  | { kind: "process"; source: string; deliveryId: string; fingerprint: string; minute: number };

const signalSpec = fc.record({
  id: fc.constantFrom("s1", "s2", "s3", "s4"),
  column: fc.constantFrom("a", "b"),
  value: fc.constantFrom(0.1, 0.5),
  minute: fc.integer({ min: 0, max: 3 }),
});
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("deliver" as const),
    source: fc.constantFrom("monitor", "alerts"),
    deliveryId: fc.constantFrom("d1", "d2", "d3", "d4", "d5"),
    repo: fc.constantFrom("acme/shop", "acme/other"),
    signals: fc.array(signalSpec, { maxLength: 4 }),
    minute: fc.integer({ min: 0, max: 60 }),
    bearer: fc.constantFrom(null, null, "sha256:aa", "sha256:ab"),
  }),
  fc.record({
    kind: fc.constant("process" as const),
    source: fc.constantFrom("monitor", "alerts"),
    deliveryId: fc.constantFrom("d1", "d2", "d3", "d4", "d5"),
    fingerprint: fc.constantFrom("fp-a", "fp-b"),
    minute: fc.integer({ min: 0, max: 60 }),
  }),
);

function toSignal(spec: SignalSpec): Signal {
  return {
    id: spec.id,
    source: { kind: "backflow" },
    observedAt: new Date(t0 + spec.minute * 60_000).toISOString(),
    type: "metric_breach",
    status: "firing",
    severity: "warning",
    dataset: { name: "orders" },
    column: spec.column,
    measurement: { metric: "nullValues", kind: "completeness", value: spec.value },
  } as Signal;
}

function deliveryInput(o: Extract<Op, { kind: "deliver" }>): RecordDeliveryInput {
  const at = new Date(t0 + o.minute * 60_000);
  const deliveryId = o.bearer ? `${o.bearer}:${at.getTime()}` : o.deliveryId;
  return {
    deliveryId,
    ...(o.bearer
      ? { dedupe: { idPrefix: `${o.bearer}:`, since: new Date(at.getTime() - 10 * 60_000) } }
      : {}),
    source: o.source,
    repo: o.repo,
    format: "backflow",
    rawBody: JSON.stringify(o.signals),
    signals: o.signals.map(toSignal),
    receivedAt: at,
    job: {
      kind: "triage-delivery",
      payload: { source: o.source, deliveryId },
      idempotencyKey: `signal-delivery:${o.source}:${deliveryId}`,
      now: at,
    },
  };
}

/** What one call answered, with nothing backend-specific (job ids differ). */
async function apply(store: Store, o: Op): Promise<unknown> {
  try {
    if (o.kind === "deliver") {
      const r = await store.signals.recordDelivery(deliveryInput(o));
      return {
        duplicate: r.duplicate,
        delivery: r.delivery.deliveryId,
        signalIds: r.signalIds,
        alreadyReceived: r.alreadyReceived,
        remapped: r.remapped,
      };
    }
    const stored = await store.signals.getDelivery({ source: o.source, deliveryId: o.deliveryId });
    return await store.signals.markProcessed({
      source: o.source,
      deliveryId: o.deliveryId,
      now: new Date(t0 + o.minute * 60_000),
      fingerprints: (stored?.signals ?? []).map((s) => ({
        signalId: s.signalId,
        fingerprint: o.fingerprint,
      })),
    });
  } catch (error) {
    return { error: (error as { status?: number }).status ?? (error as Error).message };
  }
}

/** Everything the sequence left behind that the interface can read. */
async function snapshot(store: Store): Promise<unknown> {
  const deliveries = [];
  for (const source of ["monitor", "alerts"]) {
    for (const id of ["d1", "d2", "d3", "d4", "d5"]) {
      const d = await store.signals.getDelivery({ source, deliveryId: id });
      if (!d) continue;
      const { jobId: _differs, ...delivery } = d.delivery;
      deliveries.push({ delivery, signals: d.signals });
    }
  }
  const history = [];
  for (const repo of ["acme/shop", "acme/other"]) {
    for (const fingerprint of ["fp-a", "fp-b"])
      history.push(await store.signals.history({ repo, fingerprint }));
    for (const column of ["a", "b"])
      history.push(await store.signals.history({ repo, dataset: "orders", column, metric: "nullValues" }));
    history.push(await store.signals.countBySource({ repo, since: new Date(0) }));
  }
  const pending = (await store.signals.pendingDeliveries()).map((d) => [
    d.source,
    d.deliveryId,
    d.signalCount,
  ]);
  return { deliveries, history, pending, jobs: (await store.jobs.list()).length };
}

describe("signal store: SQLite and PostgreSQL agree", () => {
  let database: TestDatabase;
  let pgStore: PostgresStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    pgStore = (await openStore(database.url)) as PostgresStore;
  }, 60_000);
  afterAll(async () => {
    await pgStore.close();
    await database.drop();
  }, 60_000);

  it(
    "answers every call of a random sequence the same way and ends in the same state",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          await emptyPostgres(pgStore);
          const sqlite = openSqliteStore(":memory:");
          try {
            for (const o of ops) expect(await apply(pgStore, o)).toEqual(await apply(sqlite, o));
            expect(await snapshot(pgStore)).toEqual(await snapshot(sqlite));
          } finally {
            await sqlite.close();
          }
        }),
        fuzzParameters(25),
      );
    },
    fuzzTimeoutMs(1500, 25),
  );
});
