import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSignalSources, type SignalSources } from "../../../src/server/signals/sources-config.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import {
  canonicalSignal,
  OTHER_SECRET,
  post,
  ROTATED_SECRET,
  SECRET,
  signedHeaders,
  silentLog,
  startIntake,
  TOKEN,
} from "./intake-harness.js";

const AM_TOKEN = `am-${TOKEN}`;

function sourcesFile(maxBodyBytes = 64 * 1024): SignalSources {
  return parseSignalSources(
    JSON.stringify({
      maxBodyBytes,
      sources: [
        { id: "monitor", secrets: [SECRET, ROTATED_SECRET], repos: ["acme/shop"] },
        { id: "multi", secrets: [OTHER_SECRET], repos: ["acme/shop", "acme/billing"] },
        { id: "lineage", bearerTokens: [TOKEN], repos: ["acme/shop"] },
        { id: "prometheus", bearerTokens: [AM_TOKEN], repos: ["acme/shop"], format: "alertmanager" },
      ],
    }),
    "sources.json",
  );
}

const alertmanagerBody = {
  version: "4",
  groupKey: '{}:{alertname="OrdersNullRate"}',
  receiver: "backflow",
  status: "firing",
  externalURL: "http://alertmanager:9093",
  alerts: [
    {
      status: "firing",
      labels: {
        alertname: "OrdersNullRate",
        dataset: "analytics.orders",
        column: "customer_id",
        severity: "critical",
      },
      annotations: { value: "0.12", summary: "null rate high" },
      startsAt: "2026-11-25T06:00:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: "a1b2c3",
    },
  ],
};

const openLineageBody = {
  eventType: "COMPLETE",
  eventTime: "2026-11-25T06:00:00Z",
  producer: "https://github.com/OpenLineage/OpenLineage/tree/1.52.0/integration/dbt",
  schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
  run: { runId: "0194a7e2-0000-7000-8000-000000000001" },
  job: { namespace: "dbt", name: "shop.dim_customers" },
  inputs: [
    {
      namespace: "postgres://db:5432",
      name: "shop.public.dim_customers",
      inputFacets: {
        dataQualityAssertions: {
          _producer: "x",
          _schemaURL: "y",
          assertions: [{ assertion: "not_null", column: "customer_id", success: false, severity: "error" }],
        },
      },
    },
  ],
};

describe("signal intake over HTTP", () => {
  let store: SqliteStore;
  let server: Server;
  let port: number;
  let accepted: string[];

  async function start(sources = sourcesFile()): Promise<void> {
    accepted = [];
    ({ server, port } = await startIntake({
      store,
      sources,
      clock: () => new Date(),
      log: silentLog,
      onAccepted: ({ delivery }) => accepted.push(delivery.deliveryId),
    }));
  }

  beforeEach(async () => {
    store = openSqliteStore(":memory:");
    await start();
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  async function sendSigned(
    body: string,
    extra: { id?: string; at?: Date; secret?: string; path?: string } = {},
  ) {
    const headers = signedHeaders({ secret: extra.secret ?? SECRET, body, id: extra.id, at: extra.at });
    return post({ port, path: extra.path ?? "/signals", body, headers });
  }

  it("stores a signed signal with its job before answering 202", async () => {
    const body = JSON.stringify(canonicalSignal());
    const reply = await sendSigned(body, { id: "msg_good" });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ accepted: 1, deliveryId: "msg_good" });
    const [signalId] = reply.body.signalIds as string[];

    const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_good" });
    expect(stored?.delivery).toMatchObject({ repo: "acme/shop", format: "backflow", state: "pending" });
    expect(stored?.signals.map((s) => s.signalId)).toEqual([signalId]);
    expect(stored?.signals[0]?.signal).toMatchObject({
      dataset: { name: "analytics.orders" },
      column: "customer_id",
      source: { kind: "backflow", name: "monitor" },
    });
    const jobs = await store.jobs.list({ kind: "triage-delivery" });
    expect(jobs.map((j) => [j.idempotencyKey, j.payload])).toEqual([
      ["triage-delivery:monitor:msg_good", { source: "monitor", deliveryId: "msg_good", repo: "acme/shop" }],
    ]);
    expect(accepted).toEqual(["msg_good"]);
  });

  it("accepts a batch and a signal sent to /signals/{format}", async () => {
    const body = JSON.stringify({ signals: [canonicalSignal(), canonicalSignal({ column: "email" })] });
    const reply = await sendSigned(body, { path: "/signals/backflow" });
    expect(reply.status).toBe(202);
    expect(reply.body.accepted).toBe(2);
  });

  it("accepts both secrets while one is being rotated", async () => {
    const first = await sendSigned(JSON.stringify(canonicalSignal()), { secret: SECRET });
    const second = await sendSigned(JSON.stringify(canonicalSignal({ column: "email" })), {
      secret: ROTATED_SECRET,
    });
    expect([first.status, second.status]).toEqual([202, 202]);
  });

  it("acknowledges a replayed webhook-id as a duplicate and queues one job", async () => {
    const body = JSON.stringify(canonicalSignal());
    const first = await sendSigned(body, { id: "msg_replay" });
    const replay = await sendSigned(body, { id: "msg_replay" });
    expect(first.status).toBe(202);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      duplicate: true,
      deliveryId: "msg_replay",
      signalIds: first.body.signalIds,
    });
    expect(await store.jobs.list()).toHaveLength(1);
    expect(accepted).toEqual(["msg_replay"]);
  });

  it("stores fifty concurrent identical deliveries once, with one job", async () => {
    const body = JSON.stringify(canonicalSignal());
    const headers = signedHeaders({ secret: SECRET, body, id: "msg_burst" });
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => post({ port, path: "/signals", body, headers })),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    expect(await store.signals.pendingDeliveries()).toHaveLength(1);
    expect(await store.jobs.list()).toHaveLength(1);
  });

  it.each([
    [
      "a signature made with an unknown secret",
      () => signedHeaders({ secret: OTHER_SECRET, body: "{}", source: "monitor" }),
    ],
    ["a signature over another body", () => signedHeaders({ secret: SECRET, body: '{"a":1}' })],
    ["no authentication at all", () => ({})],
    ["an unknown source header", () => signedHeaders({ secret: SECRET, body: "{}", source: "nobody" })],
    ["a wrong bearer token", () => ({ authorization: `Bearer ${"x".repeat(48)}` })],
  ])("refuses %s with 401 and stores nothing", async (_, headers) => {
    const reply = await post({ port, path: "/signals", body: "{}", headers: headers() });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe("unauthorized");
    expect(String(reply.body.message).length).toBeGreaterThan(10);
    expect(await store.signals.pendingDeliveries()).toEqual([]);
  });

  it.each([
    ["stale", -6 * 60_000],
    ["future", 6 * 60_000],
  ])("refuses a %s timestamp with 401 naming the allowed window", async (_, offsetMs) => {
    const reply = await sendSigned(JSON.stringify(canonicalSignal()), {
      at: new Date(Date.now() + offsetMs),
    });
    expect(reply.status).toBe(401);
    expect(reply.body.message).toMatch(/±300 seconds/);
    expect(await store.signals.pendingDeliveries()).toEqual([]);
  });

  it.each([
    ["with Content-Length", false],
    ["chunked, without Content-Length", true],
  ])("refuses an oversize body %s with 413", async (_, chunked) => {
    await new Promise((resolve) => server.close(resolve));
    await start(sourcesFile(1024));
    const body = JSON.stringify(canonicalSignal({ message: "x".repeat(200_000) }));
    const headers = signedHeaders({ secret: SECRET, body });
    const reply = await post({ port, path: "/signals", body, headers, chunked });
    expect(reply.status).toBe(413);
    expect(reply.body.message).toMatch(/1024 bytes/);
    expect(await store.signals.pendingDeliveries()).toEqual([]);
  });

  it("refuses malformed JSON with 400", async () => {
    const reply = await sendSigned('{"type": "metric_breach",');
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: "invalid_payload", path: "" });
    expect(reply.body.message).toMatch(/not valid JSON/);
  });

  it("refuses an invalid canonical signal with 400 and the zod path", async () => {
    const reply = await sendSigned(JSON.stringify(canonicalSignal({ dataset: { name: "" } })), {
      path: "/signals/backflow",
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: "invalid_payload", path: "dataset.name" });
    expect(await store.signals.pendingDeliveries()).toEqual([]);
  });

  it("refuses an unknown format in the path with 415", async () => {
    const reply = await sendSigned(JSON.stringify(canonicalSignal()), { path: "/signals/nagios" });
    expect(reply.status).toBe(415);
    expect(reply.body.message).toMatch(/Unknown signal format "nagios"/);
  });

  it("refuses a repository the source is not bound to with 403", async () => {
    const body = JSON.stringify(canonicalSignal());
    const headers = signedHeaders({ secret: SECRET, body });
    const reply = await post({ port, path: "/signals?repo=acme/billing", body, headers });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ error: "forbidden", path: "repo" });
    const inBody = await sendSigned(JSON.stringify({ ...canonicalSignal(), repo: "evil/repo" }));
    expect(inBody.status).toBe(403);
    expect(await store.signals.pendingDeliveries()).toEqual([]);
  });

  it("takes the repository from the query or the body when a source has several", async () => {
    const ambiguous = await sendSigned(JSON.stringify(canonicalSignal()), { secret: OTHER_SECRET });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.message).toMatch(/\?repo=owner\/name/);

    const viaBody = await sendSigned(JSON.stringify({ ...canonicalSignal(), repo: "Acme/Billing" }), {
      secret: OTHER_SECRET,
    });
    expect(viaBody.status).toBe(202);
    const body = JSON.stringify(canonicalSignal());
    const viaQuery = await post({
      port,
      path: "/signals?repo=acme/shop",
      body,
      headers: signedHeaders({ secret: OTHER_SECRET, body }),
    });
    expect(viaQuery.status).toBe(202);
    const repos = (await store.signals.pendingDeliveries()).map((d) => d.repo).sort();
    expect(repos).toEqual(["acme/billing", "acme/shop"]);
  });

  it("accepts an OpenLineage event at /api/v1/lineage with the source's bearer token", async () => {
    const body = JSON.stringify(openLineageBody);
    const reply = await post({
      port,
      path: "/api/v1/lineage",
      body,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(reply.status).toBe(202);
    expect(reply.body.accepted).toBe(1);
    const [delivery] = await store.signals.pendingDeliveries();
    expect(delivery).toMatchObject({ source: "lineage", format: "openlineage", repo: "acme/shop" });
    expect(delivery?.deliveryId).toMatch(/^sha256:[0-9a-f]{64}:\d+$/);

    const resend = await post({
      port,
      path: "/api/v1/lineage",
      body,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(resend.status).toBe(200);
    expect(resend.body.duplicate).toBe(true);
  });

  it("accepts an Alertmanager webhook at /alertmanager with a bearer token", async () => {
    const body = JSON.stringify(alertmanagerBody);
    const reply = await post({
      port,
      path: "/alertmanager",
      body,
      headers: { authorization: `Bearer ${AM_TOKEN}` },
    });
    expect(reply.status).toBe(202);
    const stored = await store.signals.getDelivery({
      source: "prometheus",
      deliveryId: String(reply.body.deliveryId),
    });
    expect(stored?.signals[0]?.signal).toMatchObject({
      source: { kind: "alertmanager" },
      dataset: { name: "analytics.orders" },
      column: "customer_id",
      severity: "error",
    });
  });

  it("refuses an Alertmanager alert without a dataset label with the label's path", async () => {
    const body = JSON.stringify({
      ...alertmanagerBody,
      alerts: [{ ...alertmanagerBody.alerts[0], labels: { alertname: "X" } }],
    });
    const reply = await post({
      port,
      path: "/alertmanager",
      body,
      headers: { authorization: `Bearer ${AM_TOKEN}` },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.path).toBe("alerts.0.labels.dataset");
  });

  it("answers 405 to a GET and leaves other paths to the next handler", async () => {
    const get = await post({ port, path: "/signals", body: "", method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    const other = await post({ port, path: "/healthz", body: "" });
    expect(other.status).toBe(404);
  });
});
