import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { openProposal } from "../../../src/github/proposals/open-proposal.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { finding } from "../../core/proposals/fixtures.js";
import { githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { createTestProbot, silentLog } from "../../helpers/probot.js";

const NOW = new Date("2026-01-06T00:00:00Z");
const API = "/repos/acme/shop";
const BASE = "a".repeat(40);
const FP = "0123456789abcdef0123456789abcdef";

let store: Store;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  await store.findings.put({
    repo: "acme/shop",
    fingerprint: FP,
    state: "open",
    issueNumber: 42,
    severity: "error",
    openedAt: NOW,
    resolvedAt: null,
    lastCommentAt: null,
    lastCommentSignalId: null,
    snoozedUntil: null,
    bodyHash: null,
    finding: finding({ tableId: "orders", column: "order_id", fingerprint: FP }),
    updatedAt: NOW,
  });
});

afterEach(async () => {
  nock.cleanAll();
  takeRecordedRequests();
  await store.close();
});

describe("a proposal job honours its abort signal", () => {
  it("stops waiting on a slow default branch and writes no branch, PR or comment", async () => {
    mockInstallationToken();
    const octokit = await (await createTestProbot()).auth(1);
    const scope = githubApi({ persist: true });
    scope.get(API).reply(200, { default_branch: "main" });
    scope
      .get(`${API}/git/ref/${encodeURIComponent("heads/main")}`)
      .reply(200, { ref: "refs/heads/main", object: { sha: BASE, type: "commit" } });
    scope
      .get(`${API}/git/trees/${BASE}`)
      .query(true)
      .delay(10_000)
      .reply(200, { sha: "b".repeat(40), truncated: false, tree: [] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("shutting down")), 200);
    const started = Date.now();
    await expect(
      openProposal({
        octokit,
        deps: { store, clock: () => NOW },
        log: silentLog(),
        owner: "acme",
        repo: "shop",
        repoKey: repoKeyOf("acme", "shop"),
        fingerprint: FP,
        kind: "cleansing",
        signal: controller.signal,
      }),
    ).rejects.toThrow("shutting down");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(
      takeRecordedRequests().filter((r) => r.method !== "GET" && !r.path.includes("access_tokens")),
    ).toEqual([]);
  });
});
