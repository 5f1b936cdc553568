import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { REPO_ROOT, tempDbPath } from "../store/temp-db.js";
import { startFixture } from "./child.js";

const FIXTURE = join(REPO_ROOT, "test/jobs/fixtures/shutdown-worker.ts");

describe("SIGTERM while jobs run", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("stops claiming, lets a job that finishes within the grace complete, and releases one that does not, its attempt unspent", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    const now = new Date();
    const quick = await store.jobs.enqueue({ kind: "quick", payload: {}, now: new Date(now.getTime() - 3) });
    const stuck = await store.jobs.enqueue({ kind: "stuck", payload: {}, now: new Date(now.getTime() - 2) });
    const waiting = await store.jobs.enqueue({
      kind: "quick",
      payload: {},
      now: new Date(now.getTime() - 1),
    });

    const child = startFixture(FIXTURE, [db.path, "800"]);
    await child.line(/^started quick /);
    await child.line(/^started stuck /);
    child.child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    const { stdout } = child.output();

    const stopped = JSON.parse(/^stopped (.*)$/m.exec(stdout)?.[1] ?? "{}") as Record<string, number>;
    expect(stopped).toMatchObject({ finished: 1, released: 1 });
    // It waited for the grace period (800 ms) for the stuck job, not forever.
    expect(stopped.ms).toBeGreaterThanOrEqual(700);
    expect(stdout).toContain(`aborted ${stuck.job.id}`);
    expect(await store.jobs.get(quick.job.id)).toMatchObject({ state: "done", attempts: 1 });
    expect(await store.jobs.get(stuck.job.id)).toMatchObject({
      state: "queued",
      attempts: 0,
      leaseOwner: null,
      lastError: "released at shutdown before it finished",
    });
    // Claiming stopped at SIGTERM: the third job was never started, though a slot freed up.
    expect(stdout).not.toContain(`started quick ${waiting.job.id}`);
    expect(await store.jobs.get(waiting.job.id)).toMatchObject({ state: "queued", attempts: 0 });
    await store.close();
  });
});
