import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { testServerSettings } from "../helpers/server-settings.js";

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
    const settings = await testServerSettings({ logLevel: "debug" });
    running = await startServer({ settings, store, log: pino({ level: "debug" }, sink), worker: false });
    for (const path of ["/healthz", "/readyz", "/metrics", "/nowhere"])
      await (await fetch(`${running.url}${path}`)).text();
    const levelOf = (path: string) => lines.find((line) => line.path === path)?.level;
    expect([levelOf("/healthz"), levelOf("/readyz"), levelOf("/metrics")]).toEqual([20, 20, 20]);
    expect(levelOf("/nowhere")).toBe(30);
  });
});
