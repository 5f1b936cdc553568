import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { setupSignalIntake } from "../../../src/server/signals/setup-signal-intake.js";
import { triageDeliveryJobInput } from "../../../src/server/signals/triage-delivery-job.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { SECRET, silentLog } from "./intake-harness.js";

const now = new Date("2026-11-25T06:00:00Z");

describe("setupSignalIntake", () => {
  let store: SqliteStore;
  let dir: string;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
    dir = mkdtempSync(join(tmpdir(), "backflow-setup-"));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("returns no handler when BACKFLOW_SIGNAL_SOURCES is unset", async () => {
    expect(await setupSignalIntake({ env: {}, store, clock: () => now, log: silentLog })).toBeNull();
  });

  it("refuses to start with an invalid sources file", async () => {
    const file = join(dir, "sources.yml");
    writeFileSync(file, "sources: [{id: a, repos: []}]\n");
    await expect(
      setupSignalIntake({ env: { BACKFLOW_SIGNAL_SOURCES: file }, store, clock: () => now, log: silentLog }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it("re-enqueues pending deliveries and returns the handler", async () => {
    const payload = { source: "m", deliveryId: "d1", repo: "a/b" };
    await store.signals.recordDelivery({
      ...payload,
      format: "backflow",
      rawBody: "{}",
      signals: [],
      receivedAt: now,
      job: triageDeliveryJobInput(payload, now),
    });
    store.db.prepare("DELETE FROM jobs").run();
    const file = join(dir, "sources.yml");
    writeFileSync(file, `sources:\n  - id: m\n    secrets: [${SECRET}]\n    repos: [a/b]\n`);
    const handler = await setupSignalIntake({
      env: { BACKFLOW_SIGNAL_SOURCES: file },
      store,
      clock: () => now,
      log: silentLog,
    });
    expect(typeof handler).toBe("function");
    expect((await store.jobs.list()).map((j) => j.idempotencyKey)).toEqual(["triage-delivery:m:d1"]);
  });
});
