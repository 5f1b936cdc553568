import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recoverPendingDeliveries } from "../../../src/server/signals/recover-pending.js";
import { triageDeliveryJobInput } from "../../../src/server/signals/triage-delivery-job.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const t0 = new Date("2026-11-25T06:00:00Z");

describe("recoverPendingDeliveries", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  async function record(deliveryId: string) {
    const payload = { source: "monitor", deliveryId, repo: "acme/shop" };
    await store.signals.recordDelivery({
      ...payload,
      format: "backflow",
      rawBody: "{}",
      signals: [],
      receivedAt: t0,
      job: triageDeliveryJobInput(payload, t0),
    });
  }

  it("re-creates the job of a pending delivery whose job is gone, once", async () => {
    await record("d1");
    await record("d2");
    // Simulate a queue that lost its rows (e.g. pruned, or a separate queue database restored from backup).
    store.db.prepare("DELETE FROM jobs WHERE idempotency_key = ?").run("triage-delivery:monitor:d1");

    expect(await recoverPendingDeliveries({ store, now: t0 })).toEqual({ pending: 2, requeued: 1 });
    expect(await recoverPendingDeliveries({ store, now: t0 })).toEqual({ pending: 2, requeued: 0 });
    const keys = (await store.jobs.list()).map((j) => j.idempotencyKey).sort();
    expect(keys).toEqual(["triage-delivery:monitor:d1", "triage-delivery:monitor:d2"]);
  });

  it("leaves processed deliveries alone", async () => {
    await record("d1");
    await store.signals.markProcessed({ source: "monitor", deliveryId: "d1", now: t0 });
    store.db.prepare("DELETE FROM jobs").run();
    expect(await recoverPendingDeliveries({ store, now: t0 })).toEqual({ pending: 0, requeued: 0 });
    expect(await store.jobs.list()).toEqual([]);
  });
});
