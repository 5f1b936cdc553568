import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { RecordDeliveryInput } from "../../../src/store/store.js";

const t0 = new Date("2025-03-01T00:00:00Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function signal(id: string, overrides: Partial<Signal> = {}): Signal {
  return {
    id,
    source: { kind: "backflow", name: "monitor" },
    observedAt: t0.toISOString(),
    receivedAt: t0.toISOString(),
    type: "metric_breach",
    status: "firing",
    severity: "warning",
    dataset: { name: "orders" },
    column: "customer_id",
    measurement: { metric: "nullValues", kind: "completeness", value: 0.2 },
    message: "null rate high",
    ...overrides,
  };
}

function delivery(deliveryId: string, signals: Signal[], overrides: Partial<RecordDeliveryInput> = {}) {
  return {
    deliveryId,
    source: "monitor",
    repo: "acme/shop",
    format: "backflow",
    rawBody: JSON.stringify({ signals }),
    signals,
    receivedAt: t0,
    job: {
      kind: "triage-delivery",
      payload: { source: "monitor", deliveryId },
      idempotencyKey: `signal-delivery:monitor:${deliveryId}`,
      now: t0,
    },
    ...overrides,
  } satisfies RecordDeliveryInput;
}

describe("SQLite signal store", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  it("stores the delivery, its signals and its job together, all pending", async () => {
    const result = await store.signals.recordDelivery(delivery("d1", [signal("s1"), signal("s2")]));
    expect(result.duplicate).toBe(false);
    expect(result.signalIds).toEqual(["s1", "s2"]);
    const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "d1" });
    expect(stored?.delivery).toMatchObject({ repo: "acme/shop", state: "pending", signalCount: 2 });
    expect(stored?.signals.map((s) => [s.signalId, s.state, s.signal.column])).toEqual([
      ["s1", "pending", "customer_id"],
      ["s2", "pending", "customer_id"],
    ]);
    const jobs = await store.jobs.list({ kind: "triage-delivery" });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.id).toBe(result.delivery.jobId);
    expect(jobs[0]?.idempotencyKey).toBe("signal-delivery:monitor:d1");
  });

  it("returns the first delivery for a replayed delivery id and stores nothing new", async () => {
    await store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    const replay = await store.signals.recordDelivery(delivery("d1", [signal("s9")]));
    expect(replay.duplicate).toBe(true);
    expect(replay.signalIds).toEqual(["s1"]);
    expect(await store.signals.getDelivery({ source: "monitor", deliveryId: "d1" })).toMatchObject({
      signals: [{ signalId: "s1" }],
    });
    expect(await store.jobs.list()).toHaveLength(1);
  });

  it("keeps the same delivery id from two sources apart", async () => {
    await store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    const other = await store.signals.recordDelivery(
      delivery("d1", [signal("s1")], {
        source: "other",
        job: { kind: "triage-delivery", payload: {}, idempotencyKey: "signal-delivery:other:d1", now: t0 },
      }),
    );
    expect(other.duplicate).toBe(false);
    expect(other.signalIds).toEqual(["s1"]);
  });

  it("skips a signal id the source already sent in an earlier delivery", async () => {
    await store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    const second = await store.signals.recordDelivery(delivery("d2", [signal("s1"), signal("s2")]));
    expect(second.signalIds).toEqual(["s2"]);
    expect(second.delivery.signalCount).toBe(1);
  });

  it("rolls back the delivery when a signal cannot be stored", async () => {
    const broken = signal("s1", { observedAt: "not a date" });
    await expect(store.signals.recordDelivery(delivery("d1", [signal("s0"), broken]))).rejects.toThrow();
    expect(await store.signals.getDelivery({ source: "monitor", deliveryId: "d1" })).toBeNull();
    expect(await store.jobs.list()).toHaveLength(0);
  });

  it("commits deliveries made in the same tick together, failing only the bad one", async () => {
    const results = await Promise.allSettled([
      store.signals.recordDelivery(delivery("a", [signal("s1")])),
      store.signals.recordDelivery(
        delivery("bad", [signal("s2"), signal("s3", { observedAt: "not a date" })]),
      ),
      store.signals.recordDelivery(delivery("b", [signal("s4")])),
      store.signals.recordDelivery(delivery("a", [signal("s1")])),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(results[3]).toMatchObject({ value: { duplicate: true } });
    expect((await store.signals.pendingDeliveries()).map((d) => d.deliveryId).sort()).toEqual(["a", "b"]);
    expect(await store.signals.getDelivery({ source: "monitor", deliveryId: "bad" })).toBeNull();
    expect(await store.jobs.list()).toHaveLength(2);
  });

  it("lists pending deliveries oldest first until they are marked processed", async () => {
    await store.signals.recordDelivery(delivery("late", [signal("s2")], { receivedAt: at(5) }));
    await store.signals.recordDelivery(delivery("early", [signal("s1")], { receivedAt: at(1) }));
    expect((await store.signals.pendingDeliveries()).map((d) => d.deliveryId)).toEqual(["early", "late"]);

    const marked = await store.signals.markProcessed({
      source: "monitor",
      deliveryId: "early",
      now: at(6),
      fingerprints: [{ signalId: "s1", fingerprint: "fp-1" }],
    });
    expect(marked).toBe(true);
    expect(await store.signals.markProcessed({ source: "monitor", deliveryId: "early", now: at(7) })).toBe(
      false,
    );
    expect((await store.signals.pendingDeliveries()).map((d) => d.deliveryId)).toEqual(["late"]);
    const early = await store.signals.getDelivery({ source: "monitor", deliveryId: "early" });
    expect(early?.delivery).toMatchObject({ state: "processed", processedAt: at(6) });
    expect(early?.signals[0]).toMatchObject({ state: "processed", fingerprint: "fp-1" });
  });

  it("returns the newest history points of one metric, oldest first", async () => {
    const points = [1, 2, 3, 4].map((minute) =>
      signal(`s${minute}`, {
        observedAt: at(minute).toISOString(),
        measurement: { metric: "nullValues", kind: "completeness", value: minute / 10 },
      }),
    );
    const elsewhere = signal("other-column", { column: "email" });
    const noColumn = signal("table-level", {
      column: undefined,
      measurement: { metric: "rowCount", kind: "volume", value: 9 },
    });
    await store.signals.recordDelivery(delivery("d1", [...points, elsewhere, noColumn]));

    const history = await store.signals.history({
      repo: "acme/shop",
      dataset: "orders",
      column: "customer_id",
      metric: "nullValues",
      limit: 3,
    });
    expect(history.map((p) => [p.signalId, p.value])).toEqual([
      ["s2", 0.2],
      ["s3", 0.3],
      ["s4", 0.4],
    ]);
    expect(history[2]?.observedAt).toEqual(at(4));
    const before = await store.signals.history({
      repo: "acme/shop",
      dataset: "orders",
      column: "customer_id",
      metric: "nullValues",
      before: at(3),
    });
    expect(before.map((p) => p.signalId)).toEqual(["s1", "s2"]);
    const tableLevel = await store.signals.history({
      repo: "acme/shop",
      dataset: "orders",
      metric: "rowCount",
    });
    expect(tableLevel.map((p) => p.signalId)).toEqual(["table-level"]);
  });

  it("finds history by the fingerprint the triage job recorded", async () => {
    await store.signals.recordDelivery(delivery("d1", [signal("s1"), signal("s2")]));
    await store.signals.markProcessed({
      source: "monitor",
      deliveryId: "d1",
      now: at(1),
      fingerprints: [{ signalId: "s2", fingerprint: "fp" }],
    });
    const history = await store.signals.history({ repo: "acme/shop", fingerprint: "fp" });
    expect(history.map((p) => p.signalId)).toEqual(["s2"]);
    expect(await store.signals.history({ repo: "acme/other", fingerprint: "fp" })).toEqual([]);
  });

  it("counts signals and deliveries per source since a time, for one repository", async () => {
    await store.signals.recordDelivery(delivery("old", [signal("s0")], { receivedAt: at(-60) }));
    await store.signals.recordDelivery(delivery("d1", [signal("s1"), signal("s2")]));
    await store.signals.recordDelivery(
      delivery("d2", [signal("s3")], {
        source: "alerts",
        job: { kind: "triage-delivery", payload: {}, idempotencyKey: "signal-delivery:alerts:d2", now: t0 },
      }),
    );
    await store.signals.recordDelivery(
      delivery("d3", [signal("s4")], {
        repo: "acme/other",
        job: { kind: "triage-delivery", payload: {}, idempotencyKey: "signal-delivery:monitor:d3", now: t0 },
      }),
    );
    expect(await store.signals.countBySource({ repo: "acme/shop", since: at(-1) })).toEqual([
      { source: "alerts", signals: 1, deliveries: 1 },
      { source: "monitor", signals: 2, deliveries: 1 },
    ]);
  });
});
