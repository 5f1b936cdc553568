import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackflowOctokit } from "../../src/github/backflow-octokit.js";
import { createSignalIntake } from "../../src/server/signals/intake-handler.js";
import { parseSignalSources } from "../../src/server/signals/sources-config.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import { loadPayload } from "../helpers/payloads.js";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.js";
import { silentLog } from "../helpers/probot.js";
import { signedWebhookHeaders, testServerSettings } from "../helpers/server-settings.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import {
  canonicalSignal,
  silentLog as intakeLog,
  post,
  SECRET,
  signedHeaders,
} from "../server/signals/intake-harness.js";

// PostgreSQL "goes away" the way a network or a restarting server does: a TCP proxy between the
// server's pool and PostgreSQL resets every connection and refuses new ones, then lets them through again.
let db: TestDatabase;
let proxy: TcpProxy;
let store: Store;
let running: RunningServer;
const idleErrors: Error[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const server = new URL(db.url);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  const viaProxy = new URL(db.url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  store = await openStore(viaProxy.toString(), { onIdleError: (error) => idleErrors.push(error) });
  const sources = parseSignalSources(
    JSON.stringify({ sources: [{ id: "monitor", secrets: [SECRET], repos: ["acme/shop"] }] }),
    "sources.json",
  );
  running = await startServer({
    settings: await testServerSettings(),
    store,
    log: silentLog(),
    Octokit: createBackflowOctokit({ testing: true }),
    routes: [createSignalIntake({ store, sources, clock: () => new Date(), log: intakeLog })],
    worker: false,
  });
});

afterAll(async () => {
  await running?.stop();
  await store?.close();
  await proxy?.close();
  await db?.drop();
  nock.cleanAll();
});

async function readyz(): Promise<{ status: number; text: string }> {
  const response = await fetch(`${running.url}/readyz`);
  return { status: response.status, text: await response.text() };
}

describe("PostgreSQL unreachable, then back", () => {
  it("answers 503 (readyz, signals with retry-after, webhooks) while it is gone, and everything again once it returns", async () => {
    const body = JSON.stringify(canonicalSignal({ observedAt: new Date().toISOString() }));
    const headers = signedHeaders({ secret: SECRET, body, id: "msg_pg_outage" });
    const webhook = JSON.stringify(loadPayload("pull_request", { action: "opened" }));
    const deliverWebhook = () =>
      fetch(`${running.url}/api/github/webhooks`, {
        method: "POST",
        headers: signedWebhookHeaders(webhook),
        body: webhook,
      });
    expect((await readyz()).status).toBe(200);

    proxy.cut();
    const notReady = await readyz();
    const signal = await post({ port: running.port, path: "/signals", body, headers });
    const pullRequest = await deliverWebhook();

    expect(notReady.status).toBe(503);
    expect(notReady.text).toMatch(/^store unavailable: /);
    expect(signal.status).toBe(503);
    expect(signal.headers["retry-after"]).toBe("5");
    expect(pullRequest.status).toBe(503);
    expect(pullRequest.headers.get("retry-after")).toBe("5");
    // The pool's idle connections died with the link: reported, and the process is still here.
    expect(idleErrors.length).toBeGreaterThan(0);

    proxy.restore();
    const deadline = Date.now() + 10_000;
    while ((await readyz()).status !== 200 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));

    expect((await readyz()).status).toBe(200);
    expect(await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_pg_outage" })).toBeNull();
    const retried = await post({ port: running.port, path: "/signals", body, headers });
    expect(retried.body).toMatchObject({ accepted: 1 });
    expect(retried.status).toBe(202);
    const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_pg_outage" });
    expect(stored?.signals).toHaveLength(1);
    expect((await deliverWebhook()).status).toBe(200);
  });
});
