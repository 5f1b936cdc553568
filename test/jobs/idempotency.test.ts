import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { enqueueOpenProposal } from "../../src/github/proposals/open-proposal-job.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { REPO_ROOT, runFixture, tempDbPath } from "../store/temp-db.js";

const FIXTURE = join(REPO_ROOT, "test/jobs/fixtures/request-proposal.ts");
const payload = { repo: "acme/shop", fingerprint: "0123456789abcdef", kind: "cleansing" } as const;

describe("idempotency keys held only by pending jobs", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("two processes asking 40 times each for the same proposal queue one job; once it finished, it can be asked for again", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);

    const results = await Promise.all([
      runFixture(FIXTURE, [db.path, "40"]),
      runFixture(FIXTURE, [db.path, "40"]),
    ]);
    const created = results.map((r) => Number(/created (\d+)/.exec(r.stdout)?.[1] ?? Number.NaN));
    expect(created.reduce((a, b) => a + b, 0)).toBe(1);
    const [first] = await store.jobs.list({ kind: "open-proposal" });
    expect(await store.jobs.list()).toHaveLength(1);

    // While it runs, a new request is still the same job ("already being prepared").
    const claimed = await store.jobs.claim({ workerId: "w", now: new Date(), leaseMs: 60_000 });
    expect(claimed?.id).toBe(first?.id);
    expect(await enqueueOpenProposal({ store, payload, now: new Date() })).toBe(false);
    await store.jobs.complete({
      id: claimed?.id ?? "",
      workerId: "w",
      leaseToken: claimed?.leaseToken,
      now: new Date(),
    });

    // Finished: the same request queues a fresh job (it used to answer "already being prepared" for 90 days).
    expect(await enqueueOpenProposal({ store, payload, now: new Date() })).toBe(true);
    expect((await store.jobs.list({ kind: "open-proposal" })).map((job) => job.state)).toEqual([
      "done",
      "queued",
    ]);
    await store.close();
  });
});
