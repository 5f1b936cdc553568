import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerSettings } from "../../src/server/read-server-env.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { findFreePort, TEST_APP_ID, TEST_WEBHOOK_SECRET, testPrivateKey } from "../helpers/probot.js";

describe("request logging", () => {
  let store: SqliteStore;
  let running: RunningServer;
  afterEach(async () => {
    await running.stop();
    await store.close();
  });

  it("logs health probes and metric scrapes at debug, other requests at info", async () => {
    store = openSqliteStore(":memory:");
    const lines: Array<{ level: number; path?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const settings: ServerSettings = {
      appId: TEST_APP_ID,
      privateKey: testPrivateKey(),
      webhookSecret: TEST_WEBHOOK_SECRET,
      port: await findFreePort(),
      host: "127.0.0.1",
      webhookPath: undefined,
      databaseUrl: undefined,
      logLevel: "debug",
      dryRun: false,
      retentionDays: 90,
    };
    running = await startServer({ settings, store, log: pino({ level: "debug" }, sink), worker: false });
    for (const path of ["/healthz", "/readyz", "/metrics", "/nowhere"])
      await (await fetch(`${running.url}${path}`)).text();
    const levelOf = (path: string) => lines.find((line) => line.path === path)?.level;
    expect([levelOf("/healthz"), levelOf("/readyz"), levelOf("/metrics")]).toEqual([20, 20, 20]);
    expect(levelOf("/nowhere")).toBe(30);
  });
});
