import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { triageDelivery } from "../../../src/github/drift/triage-delivery.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { githubApi } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { silentLog } from "../../helpers/probot.js";
import { CONFIG, completeness, deliver, FULL_NAME, resetNock, testOctokit } from "./drift-harness.js";
import { type FakeGitHub, fakeGitHub } from "./fake-github.js";

const T0 = new Date("2026-11-24T06:00:00Z");

let store: SqliteStore;
let github: FakeGitHub;

beforeEach(() => {
  store = openSqliteStore(":memory:");
  // GitHub answers blob reads after 10 s (registered first, so it wins over the fake's blob route).
  githubApi({ persist: true })
    .get(/\/git\/blobs\//)
    .delay(10_000)
    .reply(200, { encoding: "base64", content: "" });
  github = fakeGitHub({ config: CONFIG, now: () => T0 });
});

afterEach(async () => {
  resetNock();
  takeRecordedRequests();
  await store.close();
});

describe("triage honours the job's abort signal", () => {
  it("stops waiting on a slow GitHub when the lease is lost, and writes nothing", async () => {
    await deliver(store, "d-1", completeness({ id: "s1", at: T0, value: 0.5 }), T0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("lease lost")), 200);
    const started = Date.now();
    await expect(
      triageDelivery({
        octokit: await testOctokit(),
        deps: { store, clock: () => T0 },
        log: silentLog(),
        source: "monitor",
        deliveryId: "d-1",
        repo: FULL_NAME,
        signal: controller.signal,
      }),
    ).rejects.toThrow("lease lost");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(github.requests.filter((r) => !r.startsWith("GET"))).toEqual([]);
    expect(github.issues.size).toBe(0);
    const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: "d-1" });
    expect(stored?.delivery.state).not.toBe("processed");
  });
});
