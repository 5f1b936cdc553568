import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker } from "../../src/jobs/worker.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { REPO_ROOT, tempDbPath } from "../store/temp-db.js";
import { startFixture } from "./child.js";

const FIXTURE = join(REPO_ROOT, "test/jobs/fixtures/claim-and-hang.ts");

describe("a worker process killed while it holds a job", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("loses no job: another worker runs it once the lease expires", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    const { job } = await store.jobs.enqueue({ kind: "deliver", payload: { n: 1 }, now: new Date() });

    const doomed = startFixture(FIXTURE, [db.path, "500"]);
    expect(await doomed.line(/^claimed /)).toBe(`claimed ${job.id}`);
    doomed.child.kill("SIGKILL");
    await doomed.exited;

    const orphaned = await store.jobs.get(job.id);
    expect(orphaned).toMatchObject({ state: "running", attempts: 1, leaseOwner: "doomed-worker" });
    const leaseUntil = orphaned?.leaseUntil?.getTime() ?? 0;
    expect(
      await store.jobs.claim({ workerId: "early", now: new Date(leaseUntil - 1), leaseMs: 1 }),
    ).toBeNull();

    const runs: unknown[] = [];
    const worker = createWorker({
      store,
      workerId: "survivor",
      handlers: {
        deliver: async (payload) => {
          runs.push(payload);
        },
      },
    });
    await sleep(Math.max(0, leaseUntil - Date.now() + 20));
    expect(await worker.drain()).toBe(1);

    expect(runs).toEqual([{ n: 1 }]);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 2 });
    expect(await store.jobs.list()).toHaveLength(1);
    expect(await worker.drain()).toBe(0);
    await store.close();
  });
});
