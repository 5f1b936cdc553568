import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBackflowOctokit } from "../../src/github/backflow-octokit.js";
import { createSignalIntake } from "../../src/server/signals/intake-handler.js";
import { parseSignalSources } from "../../src/server/signals/sources-config.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { loadPayload } from "../helpers/payloads.js";
import { silentLog } from "../helpers/probot.js";
import { signedWebhookHeaders, testServerSettings } from "../helpers/server-settings.js";
import {
  canonicalSignal,
  silentLog as intakeLog,
  post,
  SECRET,
  signedHeaders,
} from "../server/signals/intake-harness.js";

// The embedded store's "database unreachable": another process holds the write lock past the busy
// timeout (SQLITE_BUSY). The PostgreSQL outage (server gone) is covered in multi-instance.test.ts.
let dir: string;
let store: SqliteStore;
let locker: Database.Database;
let running: RunningServer;
let release: (() => void) | undefined;
let stopped: Promise<void> | undefined;

beforeEach(async () => {
  release = undefined;
  stopped = undefined;
  dir = mkdtempSync(join(tmpdir(), "backflow-outage-"));
  const path = join(dir, "backflow.db");
  store = openSqliteStore(path, { busyTimeoutMs: 100 });
  locker = new Database(path);
  const sources = parseSignalSources(
    JSON.stringify({ sources: [{ id: "monitor", secrets: [SECRET], repos: ["acme/shop"] }] }),
    "sources.json",
  );
  const clock = () => new Date();
  running = await startServer({
    settings: await testServerSettings(),
    store,
    log: silentLog(),
    Octokit: createBackflowOctokit({ testing: true }),
    routes: [createSignalIntake({ store, sources, clock, log: intakeLog })],
    jobHandlers: {
      // Waits until the test lets it finish, so stop() has a job to drain.
      "test.block": () => new Promise<void>((resolve) => (release = resolve)),
    },
  });
});

afterEach(async () => {
  release?.();
  if (locker.inTransaction) locker.exec("ROLLBACK");
  locker.close();
  await (stopped ?? running.stop());
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
});

/** Holds SQLite's write lock from another connection, as a long writer in another process would. */
function lockDatabase(): void {
  locker.exec("BEGIN IMMEDIATE");
}

function unlockDatabase(): void {
  locker.exec("COMMIT");
}

describe("while the database cannot be written", () => {
  it("answers a signal 503 with retry-after, stores nothing of it, and takes the retry once the database is back", async () => {
    const body = JSON.stringify(canonicalSignal({ observedAt: new Date().toISOString() }));
    const headers = signedHeaders({ secret: SECRET, body, id: "msg_outage_1" });

    lockDatabase();
    const refused = await post({ port: running.port, path: "/signals?repo=acme/shop", body, headers });
    unlockDatabase();

    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("5");
    expect(refused.body.error).toBe("unavailable");
    expect(await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_outage_1" })).toBeNull();
    expect(await store.jobs.list()).toEqual([]);

    const retried = await post({ port: running.port, path: "/signals?repo=acme/shop", body, headers });

    expect(retried.status).toBe(202);
    const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "msg_outage_1" });
    expect(stored?.signals).toHaveLength(1);
    expect((await store.jobs.list()).map((job) => job.kind)).toEqual(["triage-delivery"]);
  });

  it("answers a pull_request webhook 503 with retry-after and queues nothing; the redelivery queues its check", async () => {
    const body = JSON.stringify(loadPayload("pull_request", { action: "opened" }));
    const deliver = () =>
      fetch(`${running.url}/api/github/webhooks`, {
        method: "POST",
        headers: signedWebhookHeaders(body),
        body,
      });

    lockDatabase();
    const refused = await deliver();
    unlockDatabase();

    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(((await refused.json()) as { error: string }).error).toContain("database is unreachable");
    expect(await store.jobs.list()).toEqual([]);

    const redelivered = await deliver();

    expect(redelivered.status).toBe(200);
    expect(await store.jobs.list()).toHaveLength(1);
  });
});

describe("/readyz", () => {
  it("says 503 shutting down while SIGTERM's drain waits for a running job, though the store answers", async () => {
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    await store.jobs.enqueue({ kind: "test.block", payload: {}, now: new Date() });
    const deadline = Date.now() + 5000;
    while (!release && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(release).toBeDefined();

    stopped = running.stop();
    const response = await fetch(`${running.url}/readyz`);
    release?.();
    await stopped;

    expect(response.status).toBe(503);
    expect(await response.text()).toBe("shutting down\n");
  });
});
