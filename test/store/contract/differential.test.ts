/**
 * Differential test: the same random sequence of signal-store calls on SQLite and on PostgreSQL
 * gives the same answers (duplicates, stored / already received / remapped ids, 409 conflicts) and
 * leaves the same deliveries, signals and history behind; the same for findings, leases and
 * repository state. Replay a failure with FUZZ_SEED / FUZZ_PATH.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import { openStore } from "../../../src/store/open-store.js";
import type { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { RecordDeliveryInput, Store } from "../../../src/store/store.js";
import { fuzzParameters, fuzzTimeoutMs } from "../../fuzz/fuzz-options.js";
import { findingRecord } from "../../github/commands/fixtures.js";
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

  type StateOp =
    | { kind: "put"; fp: string; cas: "none" | "absent" | "read"; hash: string; minute: number }
    | { kind: "snooze"; fp: string; minute: number; until: number | null }
    | { kind: "transition"; fp: string; from: "open" | "resolved"; minute: number }
    | {
        kind: "lease";
        name: string;
        owner: string;
        minute: number;
        ttl: number;
        action: "acquire" | "renew" | "release";
      }
    | { kind: "once"; key: string; value: number; minute: number };
  const at = (minute: number) => new Date(t0 + minute * 60_000);
  const fp = fc.constantFrom("f1", "f2");
  const stateOp: fc.Arbitrary<StateOp> = fc.oneof(
    fc.record({
      kind: fc.constant("put" as const),
      fp,
      cas: fc.constantFrom("none" as const, "absent" as const, "read" as const),
      hash: fc.constantFrom("h1", "h2"),
      minute: fc.integer({ min: 0, max: 5 }),
    }),
    fc.record({
      kind: fc.constant("snooze" as const),
      fp,
      minute: fc.integer({ min: 0, max: 5 }),
      until: fc.constantFrom(null, 10, 20),
    }),
    fc.record({
      kind: fc.constant("transition" as const),
      fp,
      from: fc.constantFrom("open" as const, "resolved" as const),
      minute: fc.integer({ min: 0, max: 5 }),
    }),
    fc.record({
      kind: fc.constant("lease" as const),
      name: fc.constantFrom("n1", "n2"),
      owner: fc.constantFrom("a", "b"),
      minute: fc.integer({ min: 0, max: 10 }),
      ttl: fc.constantFrom(60_000, 180_000),
      action: fc.constantFrom("acquire" as const, "renew" as const, "release" as const),
    }),
    fc.record({
      kind: fc.constant("once" as const),
      key: fc.constantFrom("k1", "k2"),
      value: fc.integer({ min: 0, max: 3 }),
      minute: fc.integer({ min: 0, max: 5 }),
    }),
  );

  async function applyState(store: Store, o: StateOp): Promise<unknown> {
    const key = { repo: "acme/shop", fingerprint: o.kind === "lease" || o.kind === "once" ? "" : o.fp };
    switch (o.kind) {
      case "put": {
        const read = await store.findings.get(key);
        const record = findingRecord({ ...key, bodyHash: o.hash, updatedAt: at(o.minute) });
        if (o.cas === "none") return store.findings.put(record);
        if (o.cas === "absent") return store.findings.put(record, { ifUpdatedAt: null });
        return store.findings.put(record, { ifUpdatedAt: read?.updatedAt ?? null });
      }
      case "snooze":
        return store.findings.snooze({
          ...key,
          until: o.until === null ? null : at(o.until),
          now: at(o.minute),
        });
      case "transition":
        return store.findings.transition({
          ...key,
          from: o.from,
          to: o.from === "open" ? "resolved" : "open",
          now: at(o.minute),
        });
      case "lease":
        if (o.action === "release") return store.leases.release({ name: o.name, owner: o.owner });
        return store.leases[o.action]({ name: o.name, owner: o.owner, now: at(o.minute), ttlMs: o.ttl });
      case "once":
        return store.repoState.putIfAbsent({
          repo: "acme/shop",
          key: o.key,
          value: o.value,
          now: at(o.minute),
        });
    }
  }

  async function stateSnapshot(store: Store): Promise<unknown> {
    const leases = [];
    // Whether owner "a" still holds each lease at minute 5 (a renewal answers exactly that).
    for (const name of ["n1", "n2"])
      leases.push(await store.leases.renew({ name, owner: "a", now: at(5), ttlMs: 1 }));
    return {
      findings: await store.findings.list({ repo: "acme/shop" }),
      state: [
        await store.repoState.get({ repo: "acme/shop", key: "k1" }),
        await store.repoState.get({ repo: "acme/shop", key: "k2" }),
      ],
      leases,
    };
  }

  it(
    "agrees on findings (compare-and-set, snooze, transitions), leases and first-writer-wins state",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stateOp, { minLength: 1, maxLength: 15 }), async (ops) => {
          await emptyPostgres(pgStore);
          const sqlite = openSqliteStore(":memory:");
          try {
            for (const o of ops) expect(await applyState(pgStore, o)).toEqual(await applyState(sqlite, o));
            expect(await stateSnapshot(pgStore)).toEqual(await stateSnapshot(sqlite));
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
