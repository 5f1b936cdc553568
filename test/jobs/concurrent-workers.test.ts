import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker } from "../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { REPO_ROOT, tempDbPath } from "../store/temp-db.js";
import { startFixture } from "./child.js";

const JOBS = 200;
const FIXTURE = join(REPO_ROOT, "test/jobs/fixtures/drain-worker.ts");

async function enqueueMany(store: SqliteStore): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i += 1) {
    ids.push((await store.jobs.enqueue({ kind: "work", payload: { i }, now: new Date() })).job.id);
  }
  return ids;
}

function recordingWorker(store: SqliteStore, workerId: string) {
  return createWorker({
    store,
    workerId,
    handlers: {
      work: async (_payload, ctx) => {
        await sleep(1);
        await store.audit.record({
          at: new Date(),
          actor: workerId,
          action: "ran",
          repo: null,
          target: ctx.job.id,
          detail: null,
        });
      },
    },
  });
}

function runsPerJob(store: SqliteStore): Map<string, number> {
  const rows = store.db
    .prepare<[], { target: string; n: number }>("SELECT target, COUNT(*) AS n FROM audit_log GROUP BY target")
    .all();
  return new Map(rows.map((row) => [row.target, row.n]));
}

describe("two workers sharing one database file", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("run each of 200 jobs exactly once (two connections in one process)", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const a = openSqliteStore(db.path);
    const b = openSqliteStore(db.path);
    const ids = await enqueueMany(a);

    const [byA, byB] = await Promise.all([recordingWorker(a, "a").drain(), recordingWorker(b, "b").drain()]);

    expect(byA + byB).toBe(JOBS);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    const runs = runsPerJob(a);
    expect(ids.every((id) => runs.get(id) === 1)).toBe(true);
    expect(await a.jobs.countByState()).toEqual({ queued: 0, running: 0, done: JOBS, dead: 0 });
    await a.close();
    await b.close();
  });

  it("run each of 200 jobs exactly once (two processes)", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    const ids = await enqueueMany(store);

    const other = startFixture(FIXTURE, [db.path, "child", "2"]);
    await other.line(/^ready$/);
    const byParent = await recordingWorker(store, "parent").drain();
    await other.exited;
    const byChild = Number((await other.line(/^drained /)).split(" ")[1]);

    expect(other.output().stderr).toBe("");
    expect(byParent + byChild).toBe(JOBS);
    const runs = runsPerJob(store);
    expect(runs.size).toBe(JOBS);
    expect(ids.every((id) => runs.get(id) === 1)).toBe(true);
    expect(await store.jobs.countByState()).toEqual({ queued: 0, running: 0, done: JOBS, dead: 0 });
    await store.close();
  });
});
