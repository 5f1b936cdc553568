import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignalError } from "../../../src/core/errors.js";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import { openStore } from "../../../src/store/open-store.js";
import type { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/postgres.js";

const t0 = new Date("2025-03-01T00:00:00Z");
let database: TestDatabase;
let store: PostgresStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = (await openStore(database.url)) as PostgresStore;
}, 60_000);
afterAll(async () => {
  await store.close();
  await database.drop();
}, 60_000);

const signal = (id: string, dataset = "orders"): Signal =>
  ({
    id,
    source: { kind: "backflow" },
    observedAt: t0.toISOString(),
    type: "metric_breach",
    status: "firing",
    severity: "warning",
    dataset: { name: dataset },
    measurement: { metric: "rowCount", kind: "volume", value: 1 },
  }) as Signal;

const delivery = (deliveryId: string, signals: Signal[], rawBody: Buffer | string = "{}") => ({
  deliveryId,
  source: "monitor",
  repo: "acme/shop",
  format: "backflow",
  rawBody,
  signals,
  receivedAt: t0,
  job: { kind: "triage-delivery", payload: {}, idempotencyKey: `k-${deliveryId}`, now: t0 },
});

describe("PostgreSQL-specific storage", () => {
  it("refuses a NUL character in a text column with a 400 that says so, storing nothing", async () => {
    const error = await store.signals
      .recordDelivery(delivery("nul", [signal("s1", "ord\u0000ers")]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalError);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toMatch(/NUL character/);
    expect(await store.signals.getDelivery({ source: "monitor", deliveryId: "nul" })).toBeNull();
  });

  it("keeps a raw body byte for byte (bytea), whatever its encoding", async () => {
    const body = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x7d]);
    await store.signals.recordDelivery(delivery("raw", [signal("s-raw")], body));
    const { rows } = await store.db.query<{ raw_body: Buffer }>(
      "SELECT raw_body FROM signal_deliveries WHERE delivery_id = 'raw'",
    );
    expect(rows[0]?.raw_body.equals(body)).toBe(true);
  });

  it('orders and ranges keys by bytes whatever the database collation (COLLATE "C")', async () => {
    for (const key of ["b", "B", "a", "é", "A"]) {
      await store.repoState.put({ repo: "r", key: `check:${key}`, value: key, now: t0 });
    }
    const { rows } = await store.db.query<{ state_key: string }>(
      "SELECT state_key FROM repo_state WHERE repo = 'r' ORDER BY state_key",
    );
    expect(rows.map((r) => r.state_key)).toEqual(["check:A", "check:B", "check:a", "check:b", "check:é"]);
  });

  it("stores times as timestamptz to the millisecond", async () => {
    const at = new Date("2025-03-01T12:34:56.789Z");
    await store.leases.acquire({ name: "t", owner: "o", now: at, ttlMs: 1 });
    const { rows } = await store.db.query<{ expires_at: Date; type: string }>(
      "SELECT expires_at, pg_typeof(expires_at)::text AS type FROM leases WHERE name = 't'",
    );
    expect(rows[0]).toEqual({ expires_at: new Date(at.getTime() + 1), type: "timestamp with time zone" });
  });
});
