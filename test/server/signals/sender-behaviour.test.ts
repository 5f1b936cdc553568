import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSignalSources } from "../../../src/server/signals/sources-config.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import {
  canonicalSignal,
  post,
  SECRET,
  signedHeaders,
  silentLog,
  startIntake,
  TOKEN,
} from "./intake-harness.js";

// Senders as they really behave (issue 17) and careless or hostile input (issue 15).
const AM_TOKEN = `am-${TOKEN}`;
const OL_TOKEN = `ol-${TOKEN}`;
const T0 = new Date("2026-11-25T06:30:00Z");

const sources = parseSignalSources(
  JSON.stringify({
    maxBodyBytes: 64 * 1024,
    sources: [
      { id: "monitor", secrets: [SECRET], repos: ["acme/shop"] },
      { id: "prometheus", bearerTokens: [AM_TOKEN], repos: ["acme/shop"], format: "alertmanager" },
      { id: "lineage", bearerTokens: [OL_TOKEN], repos: ["acme/shop"], format: "openlineage" },
      { id: "ci", bearerTokens: [TOKEN], repos: ["acme/shop"] },
    ],
  }),
  "sources.json",
);

const alert = (labels: Record<string, string>, value = "0.12") => ({
  status: "firing",
  labels: { alertname: "OrdersNullRate", severity: "warning", ...labels },
  annotations: { value },
  startsAt: "2026-11-25T06:00:00Z",
  endsAt: "0001-01-01T00:00:00Z",
  fingerprint: `fp-${Object.values(labels).join("-")}`,
});

const group = (alerts: unknown[]) => ({
  version: "4",
  groupKey: '{}:{alertname="OrdersNullRate"}',
  receiver: "backflow",
  status: "firing",
  alerts,
});

const olEvent = (facets: Record<string, unknown>) => ({
  eventType: "COMPLETE",
  eventTime: "2026-11-25T06:00:00Z",
  producer: "https://github.com/OpenLineage/OpenLineage/tree/1.52.0/integration/dbt",
  run: { runId: "0194a7e2-0000-7000-8000-000000000001" },
  job: { namespace: "dbt", name: "shop.dim_customers" },
  inputs: [{ namespace: "postgres://db:5432", name: "shop.public.dim_customers", inputFacets: facets }],
});

describe("signal intake with real senders' behaviour", () => {
  let store: SqliteStore;
  let server: Server;
  let port: number;
  let now: Date;

  beforeEach(async () => {
    store = openSqliteStore(":memory:");
    now = T0;
    ({ server, port } = await startIntake({ store, sources, clock: () => now, log: silentLog }));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  const bearer = (token: string, path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    post({ port, path, body, headers: { authorization: `Bearer ${token}`, ...headers } });
  const signed = (body: string, path = "/signals", id?: string) =>
    post({ port, path, body, headers: signedHeaders({ secret: SECRET, body, id, at: now }) });

  it("accepts the valid alerts of a group, stores the skipped one with its reason, and answers 202 with counts", async () => {
    const body = JSON.stringify(group([alert({ dataset: "analytics.orders" }), alert({ team: "data" })]));
    const reply = await bearer(AM_TOKEN, "/alertmanager", body);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({
      accepted: 1,
      skipped: 1,
      reasons: [{ path: "alerts.1.labels.dataset", reason: expect.stringContaining("dataset label") }],
    });
    const stored = await store.signals.getDelivery({
      source: "prometheus",
      deliveryId: String(reply.body.deliveryId),
    });
    expect(stored?.signals.map((s) => s.signal.dataset.name)).toEqual(["analytics.orders"]);
    expect(stored?.delivery.skipped).toEqual([
      { path: "alerts.1.labels.dataset", reason: expect.any(String) },
    ]);
  });

  it("keeps an OpenLineage event's valid assertions when its metrics facet does not conform", async () => {
    const body = JSON.stringify(
      olEvent({
        dataQualityMetrics: { rowCount: 10 },
        dataQualityAssertions: { assertions: [{ assertion: "not_null", column: "id", success: false }] },
      }),
    );
    const reply = await bearer(OL_TOKEN, "/api/v1/lineage", body);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ accepted: 1, skipped: 1 });
    expect(reply.body.reasons).toEqual([
      { path: "inputs.0.inputFacets.dataQualityMetrics.columnMetrics", reason: expect.any(String) },
    ]);
  });

  it("decompresses a gzip body (OpenLineage `compression: gzip`)", async () => {
    const body = gzipSync(
      JSON.stringify(
        olEvent({ dataQualityAssertions: { assertions: [{ assertion: "unique", success: true }] } }),
      ),
    );
    const reply = await bearer(OL_TOKEN, "/api/v1/lineage", body, { "content-encoding": "gzip" });
    expect(reply.status).toBe(202);
    expect(reply.body.accepted).toBe(1);
  });

  it("accepts a real dbt-ol event gzip-compressed as OpenLineage's HTTP transport sends it", async () => {
    const event = readFileSync(
      new URL(
        "../../fixtures/signals/real/openlineage-dbt-test-complete.OpenLineage-integration-common-tests-dbt-test-result.json",
        import.meta.url,
      ),
    );
    now = new Date("2021-08-25T11:05:00Z");
    const reply = await bearer(OL_TOKEN, "/api/v1/lineage", gzipSync(event), { "content-encoding": "gzip" });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ accepted: 4, skipped: 0 });
  });

  it("refuses a gzip bomb with 413 by its decompressed size", async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const reply = await bearer(OL_TOKEN, "/api/v1/lineage", bomb, { "content-encoding": "gzip" });
    expect(reply.status).toBe(413);
    expect(reply.body.message).toMatch(/decompressed body is larger than 65536 bytes/);
  });

  it("refuses an unknown Content-Encoding with 415", async () => {
    const reply = await bearer(TOKEN, "/signals", "{}", { "content-encoding": "br" });
    expect(reply.status).toBe(415);
  });

  it("accepts a UTF-8 byte order mark", async () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(canonicalSignal())),
    ]);
    const reply = await bearer(TOKEN, "/signals", body);
    expect(reply.status).toBe(202);
  });

  it("refuses invalid UTF-8 with 400 saying where", async () => {
    const text = JSON.stringify(canonicalSignal({ message: "caf\u00e9" }));
    const bytes = Buffer.from(text);
    const at = bytes.indexOf(0xc3);
    bytes[at] = 0xff;
    const reply = await bearer(TOKEN, "/signals", bytes);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain(`byte 0xff at offset ${at} (line 1, column ${at + 1})`);
  });

  it("refuses 50,000-deep arrays with 400, not a stack overflow", async () => {
    const deep = `${"[".repeat(25_000)}${"]".repeat(25_000)}`;
    const body = `{"run_results":{},"run_id":"r","results":${deep}}`;
    const reply = await bearer(TOKEN, "/signals/great-expectations", body);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(/more than 64 levels deep/);
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "answers POST /signals/%s with 415, not a 500",
    async (name) => {
      const reply = await bearer(TOKEN, `/signals/${name}`, JSON.stringify(canonicalSignal()));
      expect(reply.status).toBe(415);
      expect(reply.body.message).toMatch(/Unknown signal format/);
    },
  );

  it.each([
    ["/api/v1/lineage", {}],
    ["/signals/backflow", {}],
    ["/signals", { "x-backflow-format": "openlineage" }],
  ])("refuses another format than the pinned one at %s with 415", async (path, headers) => {
    const reply = await bearer(AM_TOKEN, path, JSON.stringify(olEvent({})), headers);
    expect(reply.status).toBe(415);
    expect(reply.body.message).toMatch(/pinned to the alertmanager format/);
    expect(await store.signals.pendingDeliveries()).toEqual([]);
  });

  it("refuses a signal observed beyond the allowed clock skew with 400 saying why", async () => {
    const reply = await signed(JSON.stringify(canonicalSignal({ observedAt: "9999-12-31T00:00:00Z" })));
    expect(reply.status).toBe(400);
    expect(reply.body.path).toBe("observedAt");
    expect(reply.body.message).toMatch(/in the future, more than the 24 h of clock skew allowed/);
  });

  it("refuses an implausibly old observation with 400", async () => {
    const reply = await signed(JSON.stringify(canonicalSignal({ observedAt: "1999-01-01T00:00:00Z" })));
    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(/older than the 400 days accepted/);
  });

  it("answers a reused signal id with another value 409 naming what differs, and stores nothing", async () => {
    const first = await signed(JSON.stringify(canonicalSignal({ id: "orders-null-1" })));
    expect(first.status).toBe(202);
    const reuse = await signed(
      JSON.stringify(
        canonicalSignal({
          id: "orders-null-1",
          measurement: { metric: "nullValues", value: 0.5, unit: "percent" },
        }),
      ),
    );
    expect(reuse.status).toBe(409);
    expect(reuse.body.message).toContain("measurement.value: stored 0.12, sent 0.5");
    expect(await store.signals.getDelivery({ source: "monitor", deliveryId: "missing" })).toBeNull();
    expect((await store.signals.pendingDeliveries()).length).toBe(1);
  });

  it("says a re-sent artifact was already received, with its ids", async () => {
    const body = JSON.stringify(canonicalSignal({ id: "orders-null-2" }));
    const first = await signed(body, "/signals", "msg_1");
    const again = await signed(body, "/signals", "msg_2");
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, alreadyReceived: first.body.signalIds });
    expect(again.body.message).toMatch(/already received/);
  });

  it("deduplicates identical bearer bodies only within the window (default 10 minutes)", async () => {
    const body = JSON.stringify(canonicalSignal({ observedAt: undefined }));
    const first = await bearer(TOKEN, "/signals", body);
    expect(first.status).toBe(202);
    now = new Date(T0.getTime() + 9 * 60_000);
    const retry = await bearer(TOKEN, "/signals", body);
    expect(retry.status).toBe(200);
    expect(retry.body.duplicate).toBe(true);
    now = new Date(T0.getTime() + 24 * 3_600_000);
    const nextDay = await bearer(TOKEN, "/signals", body);
    expect(nextDay.status).toBe(202);
    expect(nextDay.body.signalIds).not.toEqual(first.body.signalIds);
  });

  it("keeps a manifest sent after its run_results to improve the mapping of the stored signals", async () => {
    const bundle = JSON.parse(
      readFileSync(new URL("../../fixtures/signals/dbt-bundle.json", import.meta.url), "utf8"),
    ) as { run_results: unknown };
    const alone = await signed(JSON.stringify(bundle.run_results), "/signals/dbt", "msg_rr");
    expect(alone.status).toBe(202);
    const withManifest = await signed(JSON.stringify(bundle), "/signals/dbt", "msg_bundle");
    expect(withManifest.status).toBe(202);
    const remapped = withManifest.body.remapped as string[];
    expect(remapped.length).toBeGreaterThan(0);
    expect(withManifest.body.message).toMatch(/better mapping and will be triaged again/);
    const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_bundle" });
    expect(stored?.signals.map((s) => s.signalId).sort()).toEqual(
      [...(withManifest.body.signalIds as string[])].sort(),
    );
    expect(stored?.signals.every((s) => !s.signal.message.includes("guessed"))).toBe(true);
  });
});
