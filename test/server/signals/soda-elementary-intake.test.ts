import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSignalSources } from "../../../src/server/signals/sources-config.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { elementaryNotNull, elementaryVolumeAnomaly } from "../../core/signals/fixtures/elementary-alerts.js";
import { sodaScan } from "../../core/signals/fixtures/soda-scan.js";
import { post, SECRET, signedHeaders, silentLog, startIntake } from "./intake-harness.js";

describe("Soda and Elementary through the real signal intake", () => {
  let store: SqliteStore;
  let server: Server;
  let port: number;

  beforeEach(async () => {
    store = openSqliteStore(":memory:");
    const sources = parseSignalSources(
      JSON.stringify({ sources: [{ id: "quality", secrets: [SECRET], repos: ["acme/shop"] }] }),
      "sources.json",
    );
    ({ server, port } = await startIntake({ store, sources, clock: () => new Date(), log: silentLog }));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  function send(body: string, path: string, id: string) {
    return post({ port, path, body, headers: signedHeaders({ secret: SECRET, body, id }) });
  }

  it("stores one signal per evaluated check of a scan posted to /signals/soda, and dedupes a redelivery", async () => {
    const body = JSON.stringify(sodaScan);
    const reply = await send(body, "/signals/soda", "msg_soda");
    expect(reply.status).toBe(202);
    expect(reply.body.accepted).toBe(5);

    const stored = await store.signals.getDelivery({ source: "quality", deliveryId: "msg_soda" });
    expect(stored?.delivery).toMatchObject({ repo: "acme/shop", format: "soda", state: "pending" });
    expect(stored?.signals[0]?.signal).toMatchObject({
      source: { kind: "soda", name: "quality" },
      dataset: { namespace: "shop_dwh", name: "fct_orders" },
      column: "customer_id",
      status: "firing",
    });

    const again = await send(body, "/signals/soda", "msg_soda");
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(await store.jobs.list({ kind: "triage-delivery" })).toHaveLength(1);
  });

  it("detects a list of Elementary alerts posted to /signals", async () => {
    const reply = await send(
      JSON.stringify([elementaryNotNull, elementaryVolumeAnomaly]),
      "/signals",
      "msg_edr",
    );
    expect(reply.status).toBe(202);
    expect(reply.body.accepted).toBe(2);
    const stored = await store.signals.getDelivery({ source: "quality", deliveryId: "msg_edr" });
    expect(stored?.delivery.format).toBe("elementary");
    expect(stored?.signals.map((s) => s.signal.dataset.dbtUniqueId)).toEqual([
      "model.shop.fct_orders",
      "model.shop.fct_orders",
    ]);
  });

  it("refuses a malformed scan with 400 and the zod path", async () => {
    const reply = await send(
      JSON.stringify({ definitionName: "x", checks: [{ outcome: 7 }] }),
      "/signals/soda",
      "msg_bad",
    );
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain("checks.0.outcome");
  });
});
