import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { findFreePort, TEST_APP_ID, TEST_WEBHOOK_SECRET, testPrivateKey } from "../helpers/probot.js";
import { REPO_ROOT, tempDbPath } from "../store/temp-db.js";

const FIXTURE = join(REPO_ROOT, "test/jobs/fixtures/probot-run.ts");

describe("probot run ./dist/index.js (backflowApp)", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("starts a worker from the job registry that runs queued jobs, shows them in /metrics, and drains on SIGTERM", async () => {
    const db = tempDbPath();
    const store = openSqliteStore(db.path);
    const now = new Date();
    const { job } = await store.jobs.enqueue({
      kind: "prune-store",
      payload: { retentionDays: 30 },
      idempotencyKey: "prune-store:test",
      now,
    });
    const port = await findFreePort();
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: "test",
        APP_ID: String(TEST_APP_ID),
        PRIVATE_KEY: testPrivateKey(),
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        PORT: String(port),
        LOG_LEVEL: "warn",
        DATABASE_URL: db.path,
        BACKFLOW_WORKER_CONCURRENCY: "2",
        BACKFLOW_RETENTION_DAYS: "30",
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    cleanup = () => {
      child.kill("SIGKILL");
      db.cleanup();
    };

    for (let waited = 0; (await store.jobs.get(job.id))?.state !== "done"; waited += 50) {
      if (waited > 30_000) throw new Error(`the job never ran: ${stderr}`);
      await sleep(50);
    }
    const metrics = await (await fetch(`http://localhost:${port}/metrics`)).text();
    expect(metrics).toContain('backflow_job_outcomes_total{kind="prune-store",outcome="done"} 1');
    expect(metrics).toContain('backflow_jobs{state="done"} 1');
    // Start-up scheduled tomorrow's prune with BACKFLOW_RETENTION_DAYS, as npm start does (the
    // prune that ran asked for the same day, which the idempotency key keeps to one job).
    expect((await store.jobs.list({ kind: "prune-store", state: "queued" })).map((j) => j.payload)).toEqual([
      { retentionDays: 30, auditRetentionDays: 365 },
    ]);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await store.close();
  });
});
