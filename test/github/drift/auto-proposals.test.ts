import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { CONFIG, completeness, deliverAndTriage, resetNock, testOctokit } from "./drift-harness.js";
import { fakeGitHub } from "./fake-github.js";

const T0 = new Date("2026-11-24T06:00:00Z");
let store: SqliteStore | undefined;

afterEach(async () => {
  resetNock();
  await store?.close();
});

async function openFinding(config: string) {
  store = openSqliteStore(":memory:");
  const now = new Date(T0.getTime() + 60_000);
  fakeGitHub({ config, assignable: [], now: () => now });
  const result = await deliverAndTriage({
    store,
    octokit: await testOctokit(),
    clock: () => now,
    deliveryId: "d-auto",
    body: completeness({ id: "s1", at: T0, value: 0.93, severity: "error" }),
  });
  expect(result.results.map((r) => [r.decision, r.action])).toEqual([["open", "created"]]);
  return store.jobs.list({ kind: "open-proposal" });
}

describe("proposals after triage", () => {
  it("queues one cleansing proposal for a newly opened finding when proposals.mode is auto", async () => {
    const jobs = await openFinding(`${CONFIG}proposals:\n  mode: auto\n`);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.payload).toMatchObject({ repo: "acme/shop", kind: "cleansing", issueNumber: 1 });
  });

  it("queues nothing in the default on-command mode", async () => {
    expect(await openFinding(CONFIG)).toEqual([]);
  });

  it("queues nothing in auto mode when the finding is not among proposals.auto", async () => {
    expect(await openFinding(`${CONFIG}proposals:\n  mode: auto\n  auto: [rowCount]\n`)).toEqual([]);
  });
});
