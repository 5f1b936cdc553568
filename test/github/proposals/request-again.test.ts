import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueOpenProposal, openProposalJob } from "../../../src/github/proposals/open-proposal-job.js";
import { handleJob } from "../../../src/jobs/queue.js";
import { createWorker } from "../../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const payload = {
  repo: "Acme/Shop",
  fingerprint: "ab".repeat(32),
  kind: "cleansing" as const,
  issueNumber: 3,
};
let store: SqliteStore;

beforeEach(() => {
  store = openSqliteStore(":memory:");
});
afterEach(() => store.close());

describe("requesting a proposal", () => {
  it("queues it again once the first request finished, and two concurrent requests queue one job", async () => {
    const [first, second] = await Promise.all([
      enqueueOpenProposal({ store, payload, now: NOW }),
      enqueueOpenProposal({ store, payload: { ...payload, repo: "acme/shop" }, now: NOW }),
    ]);
    expect([first, second].sort()).toEqual([false, true]);

    const ran: unknown[] = [];
    const handlers = Object.fromEntries([handleJob(openProposalJob, async (p) => void ran.push(p))]);
    const worker = createWorker({ store, handlers, workerId: "w", clock: () => NOW });
    expect(await worker.drain()).toBe(1);
    expect(ran).toHaveLength(1);

    // Finished: `/backflow propose` on the same finding is accepted again, not "already being prepared".
    expect(await enqueueOpenProposal({ store, payload, now: NOW })).toBe(true);
    expect(await enqueueOpenProposal({ store, payload, now: NOW })).toBe(false);
    expect((await store.jobs.list({ kind: "open-proposal" })).map((j) => j.state).sort()).toEqual([
      "done",
      "queued",
    ]);
  });
});
