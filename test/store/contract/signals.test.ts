import { describe, expect, it } from "vitest";
import { SignalError } from "../../../src/core/errors.js";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import type { RecordDeliveryInput } from "../../../src/store/store.js";
import { BACKENDS, twoInstances, useStore } from "./backends.js";

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

describe.each(BACKENDS)("$name signal store", (backend) => {
  const ctx = useStore(backend);

  it("stores the delivery, its signals and its job together, all pending", async () => {
    const result = await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1"), signal("s2")]));
    expect(result.duplicate).toBe(false);
    expect(result.signalIds).toEqual(["s1", "s2"]);
    const stored = await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d1" });
    expect(stored?.delivery).toMatchObject({ repo: "acme/shop", state: "pending", signalCount: 2 });
    expect(stored?.signals.map((s) => [s.signalId, s.state, s.signal.column])).toEqual([
      ["s1", "pending", "customer_id"],
      ["s2", "pending", "customer_id"],
    ]);
    const jobs = await ctx.store.jobs.list({ kind: "triage-delivery" });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.id).toBe(result.delivery.jobId);
    expect(jobs[0]?.idempotencyKey).toBe("signal-delivery:monitor:d1");
  });

  it("returns the first delivery for a replayed delivery id and stores nothing new", async () => {
    await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    const replay = await ctx.store.signals.recordDelivery(delivery("d1", [signal("s9")]));
    expect(replay.duplicate).toBe(true);
    expect(replay.signalIds).toEqual(["s1"]);
    expect(await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d1" })).toMatchObject({
      signals: [{ signalId: "s1" }],
    });
    expect(await ctx.store.jobs.list()).toHaveLength(1);
  });

  it("keeps the same delivery id from two sources apart", async () => {
    await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    const other = await ctx.store.signals.recordDelivery(
      delivery("d1", [signal("s1")], {
        source: "other",
        job: { kind: "triage-delivery", payload: {}, idempotencyKey: "signal-delivery:other:d1", now: t0 },
      }),
    );
    expect(other.duplicate).toBe(false);
    expect(other.signalIds).toEqual(["s1"]);
  });

  it("skips a signal id the source already sent in an earlier delivery", async () => {
    await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    const second = await ctx.store.signals.recordDelivery(delivery("d2", [signal("s1"), signal("s2")]));
    expect(second.signalIds).toEqual(["s2"]);
    expect(second.delivery.signalCount).toBe(1);
  });

  it("rolls back the delivery when a signal cannot be stored", async () => {
    const broken = signal("s1", { observedAt: "not a date" });
    await expect(ctx.store.signals.recordDelivery(delivery("d1", [signal("s0"), broken]))).rejects.toThrow();
    expect(await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d1" })).toBeNull();
    expect(await ctx.store.jobs.list()).toHaveLength(0);
  });

  it("commits deliveries made in the same tick together, failing only the bad one", async () => {
    const results = await Promise.allSettled([
      ctx.store.signals.recordDelivery(delivery("a", [signal("s1")])),
      ctx.store.signals.recordDelivery(
        delivery("bad", [signal("s2"), signal("s3", { observedAt: "not a date" })]),
      ),
      ctx.store.signals.recordDelivery(delivery("b", [signal("s4")])),
      ctx.store.signals.recordDelivery(delivery("a", [signal("s1")])),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    // The two deliveries of "a" race: whichever commits first is stored, the other is its duplicate.
    const duplicates = [results[0], results[3]].map((r) => r?.status === "fulfilled" && r.value.duplicate);
    expect(duplicates.sort()).toEqual([false, true]);
    expect((await ctx.store.signals.pendingDeliveries()).map((d) => d.deliveryId).sort()).toEqual(["a", "b"]);
    expect(await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "bad" })).toBeNull();
    expect(await ctx.store.jobs.list()).toHaveLength(2);
  });

  it("lists pending deliveries oldest first until they are marked processed", async () => {
    await ctx.store.signals.recordDelivery(delivery("late", [signal("s2")], { receivedAt: at(5) }));
    await ctx.store.signals.recordDelivery(delivery("early", [signal("s1")], { receivedAt: at(1) }));
    expect((await ctx.store.signals.pendingDeliveries()).map((d) => d.deliveryId)).toEqual(["early", "late"]);

    const marked = await ctx.store.signals.markProcessed({
      source: "monitor",
      deliveryId: "early",
      now: at(6),
      fingerprints: [{ signalId: "s1", fingerprint: "fp-1" }],
    });
    expect(marked).toBe(true);
    expect(
      await ctx.store.signals.markProcessed({ source: "monitor", deliveryId: "early", now: at(7) }),
    ).toBe(false);
    expect((await ctx.store.signals.pendingDeliveries()).map((d) => d.deliveryId)).toEqual(["late"]);
    const early = await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "early" });
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
    await ctx.store.signals.recordDelivery(delivery("d1", [...points, elsewhere, noColumn]));

    const history = await ctx.store.signals.history({
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
    const before = await ctx.store.signals.history({
      repo: "acme/shop",
      dataset: "orders",
      column: "customer_id",
      metric: "nullValues",
      before: at(3),
    });
    expect(before.map((p) => p.signalId)).toEqual(["s1", "s2"]);
    const tableLevel = await ctx.store.signals.history({
      repo: "acme/shop",
      dataset: "orders",
      metric: "rowCount",
    });
    expect(tableLevel.map((p) => p.signalId)).toEqual(["table-level"]);
  });

  it("finds history by the fingerprint the triage job recorded", async () => {
    await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1"), signal("s2")]));
    await ctx.store.signals.markProcessed({
      source: "monitor",
      deliveryId: "d1",
      now: at(1),
      fingerprints: [{ signalId: "s2", fingerprint: "fp" }],
    });
    const history = await ctx.store.signals.history({ repo: "acme/shop", fingerprint: "fp" });
    expect(history.map((p) => p.signalId)).toEqual(["s2"]);
    expect(await ctx.store.signals.history({ repo: "acme/other", fingerprint: "fp" })).toEqual([]);
  });

  it("counts signals and deliveries per source since a time, for one repository", async () => {
    await ctx.store.signals.recordDelivery(delivery("old", [signal("s0")], { receivedAt: at(-60) }));
    await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1"), signal("s2")]));
    await ctx.store.signals.recordDelivery(
      delivery("d2", [signal("s3")], {
        source: "alerts",
        job: { kind: "triage-delivery", payload: {}, idempotencyKey: "signal-delivery:alerts:d2", now: t0 },
      }),
    );
    await ctx.store.signals.recordDelivery(
      delivery("d3", [signal("s4")], {
        repo: "acme/other",
        job: { kind: "triage-delivery", payload: {}, idempotencyKey: "signal-delivery:monitor:d3", now: t0 },
      }),
    );
    expect(await ctx.store.signals.countBySource({ repo: "acme/shop", since: at(-1) })).toEqual([
      { source: "alerts", signals: 1, deliveries: 1 },
      { source: "monitor", signals: 2, deliveries: 1 },
    ]);
  });

  it("answers a known signal id sent again unchanged as already received (the stored copy keeps its key order)", async () => {
    // Keys not in alphabetical order: a store that reordered them would see a changed dataset.
    const withNamespace = () =>
      signal("s1", { dataset: { namespace: "shop", name: "orders" } as Signal["dataset"] });
    await ctx.store.signals.recordDelivery(delivery("d1", [withNamespace()]));
    const again = await ctx.store.signals.recordDelivery(delivery("d2", [withNamespace()]));
    expect(again).toMatchObject({ duplicate: false, signalIds: [], alreadyReceived: ["s1"], remapped: [] });
    expect(again.delivery.signalCount).toBe(0);
  });

  it("updates a known signal id whose mapping changed and moves it to the new delivery for triage", async () => {
    await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    await ctx.store.signals.markProcessed({
      source: "monitor",
      deliveryId: "d1",
      now: at(1),
      fingerprints: [{ signalId: "s1", fingerprint: "fp-old" }],
    });
    const remapped = await ctx.store.signals.recordDelivery(
      delivery("d2", [signal("s1", { column: "email" })]),
    );
    expect(remapped).toMatchObject({ signalIds: ["s1"], remapped: ["s1"], alreadyReceived: [] });
    const moved = await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d2" });
    expect(moved?.signals.map((s) => [s.signalId, s.state, s.fingerprint, s.signal.column])).toEqual([
      ["s1", "pending", null, "email"],
    ]);
    expect((await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d1" }))?.signals).toEqual(
      [],
    );
  });

  it("refuses a known signal id with another observation with a 409 naming it, and stores nothing", async () => {
    await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1")]));
    const changed = signal("s1", { measurement: { metric: "nullValues", kind: "completeness", value: 0.9 } });
    const error = await ctx.store.signals
      .recordDelivery(delivery("d2", [signal("s2"), changed]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalError);
    expect(error).toMatchObject({ status: 409 });
    expect((error as Error).message).toMatch(/s1 \(measurement\.value: stored 0\.2, sent 0\.9\)/);
    expect(await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d2" })).toBeNull();
    expect(
      (await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d1" }))?.signals,
    ).toHaveLength(1);
    expect(await ctx.store.jobs.list()).toHaveLength(1);
  });

  it("treats an id repeated inside one delivery as already received, or as a conflict when it observed something else", async () => {
    const twice = await ctx.store.signals.recordDelivery(delivery("d1", [signal("s1"), signal("s1")]));
    expect(twice).toMatchObject({ signalIds: ["s1"], alreadyReceived: ["s1"] });
    const clash = signal("s2", { status: "resolved" });
    await expect(
      ctx.store.signals.recordDelivery(delivery("d2", [signal("s2"), clash])),
    ).rejects.toMatchObject({
      status: 409,
    });
    expect(await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d2" })).toBeNull();
  });

  it("finds a bearer sender's retry by its body prefix within the window, and not after it", async () => {
    const bearer = (id: string, receivedAt: Date, since: Date) =>
      delivery(id, [signal(`s-${id}`)], {
        receivedAt,
        dedupe: { idPrefix: "sha256:abc:", since },
        job: { kind: "triage-delivery", payload: {}, idempotencyKey: `k-${id}`, now: receivedAt },
      });
    await ctx.store.signals.recordDelivery(bearer(`sha256:abc:${at(0).getTime()}`, at(0), at(-10)));
    const retry = await ctx.store.signals.recordDelivery(
      bearer(`sha256:abc:${at(5).getTime()}`, at(5), at(-5)),
    );
    expect(retry).toMatchObject({
      duplicate: true,
      delivery: { deliveryId: `sha256:abc:${at(0).getTime()}` },
    });
    const later = await ctx.store.signals.recordDelivery(
      bearer(`sha256:abc:${at(30).getTime()}`, at(30), at(20)),
    );
    expect(later.duplicate).toBe(false);
    // Another body's prefix never matches, however close its hash.
    const other = await ctx.store.signals.recordDelivery({
      ...bearer(`sha256:abd:${at(6).getTime()}`, at(6), at(-5)),
      dedupe: { idPrefix: "sha256:abd:", since: at(-5) },
    });
    expect(other.duplicate).toBe(false);
  });

  it("keeps the items a delivery skipped, with their reasons", async () => {
    const skipped = [{ path: "signals[2]", reason: "no dataset name" }];
    await ctx.store.signals.recordDelivery(
      delivery("d1", [signal("s1")], { skipped } as Partial<RecordDeliveryInput>),
    );
    expect(
      (await ctx.store.signals.getDelivery({ source: "monitor", deliveryId: "d1" }))?.delivery.skipped,
    ).toEqual(skipped);
  });

  it("stores one delivery sent to two instances at once, and answers the other as its duplicate", async () => {
    const pair = await twoInstances(backend, ctx);
    try {
      for (let round = 0; round < 5; round++) {
        const id = `race-${round}`;
        const results = await Promise.all([
          pair.a.signals.recordDelivery(delivery(id, [signal(`${id}-1`), signal(`${id}-2`)])),
          pair.b.signals.recordDelivery(delivery(id, [signal(`${id}-1`), signal(`${id}-2`)])),
        ]);
        expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
        expect(results[0]?.delivery.jobId).toBe(results[1]?.delivery.jobId);
        expect(results.every((r) => r.signalIds.length === 2)).toBe(true);
      }
      expect(await pair.a.jobs.list({ kind: "triage-delivery" })).toHaveLength(5);
    } finally {
      await pair.close();
    }
  });

  it("stores a signal id once when two deliveries carrying it race on two instances", async () => {
    const pair = await twoInstances(backend, ctx);
    try {
      // Overlapping ids in opposite orders: neither instance may deadlock or store s-b twice.
      const [one, two] = await Promise.all([
        pair.a.signals.recordDelivery(delivery("x", [signal("s-a"), signal("s-b"), signal("s-c")])),
        pair.b.signals.recordDelivery(delivery("y", [signal("s-c"), signal("s-b"), signal("s-d")])),
      ]);
      const stored = [...(one?.signalIds ?? []), ...(two?.signalIds ?? [])].sort();
      expect(stored).toEqual(["s-a", "s-b", "s-c", "s-d"]);
      expect([...(one?.alreadyReceived ?? []), ...(two?.alreadyReceived ?? [])].sort()).toEqual([
        "s-b",
        "s-c",
      ]);
    } finally {
      await pair.close();
    }
  });
});
