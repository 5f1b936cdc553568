import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { fingerprintOf } from "../../../src/core/triage/fingerprint.js";
import { checkExpectationsForSignal } from "../../../src/github/expectations/check-expectations-for-signal.js";
import { expectationDeadlineHandler } from "../../../src/github/expectations/expectation-deadline-handler.js";
import type { OpenRevert } from "../../../src/github/expectations/open-revert.js";
import { createWorker } from "../../../src/jobs/worker.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { silentLog, TEST_APP_ID } from "../../helpers/probot.js";
import { mockMergeCommit } from "../canary/merge-commit-nock.js";
import { findingRecord } from "../commands/fixtures.js";
import { mockDefaultBranch, SHOP_FILES } from "./default-branch.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const REPO_KEY = "codertocat/hello-world";
const MERGED_AT = "2026-11-10T00:00:00Z";
const MERGE_SHA = "c4295bd74fb0f4fda03689c3df3f2803b658fd85";
let now = new Date("2026-11-10T00:05:00Z");

let store: Store;
let probot: Probot;

const body = [
  "Coalesce missing customer ids.",
  "",
  "```expects",
  "- metric: completeness(orders.customer_id) >= 0.99 within 3d",
  "- metric: volume(orders) within 5% of baseline for 7d",
  "- metric: completeness(orders.customer) >= 0.99 within 3d",
  "```",
].join("\n");

function mergedPayload(overrides: Record<string, unknown> = {}) {
  return loadPayload("pull_request", {
    action: "closed",
    overrides: {
      pull_request: { merged: true, merged_at: MERGED_AT, merge_commit_sha: MERGE_SHA, body, ...overrides },
    },
  });
}

beforeEach(async () => {
  now = new Date("2026-11-10T00:05:00Z");
  ({ store, probot } = await startBackflowApp(() => now));
  // The merge changed no pipeline file, so no canary is recorded (test/github/canary covers canaries).
  const merge = { owner: OWNER, repo: REPO, mergeSha: MERGE_SHA, parentSha: "f".repeat(40) };
  mockMergeCommit(githubApi(), { ...merge, base: SHOP_FILES, head: SHOP_FILES });
});

afterEach(() => stopBackflowApp(store));

function mockWatchComment(scope: nock.Scope, pr: number, bodies: string[]) {
  scope
    .post(`/repos/${OWNER}/${REPO}/issues/${pr}/comments`, (b) => {
      bodies.push(b.body);
      return true;
    })
    .reply(201, { id: 1 });
}

describe("merged pull requests with expectations", () => {
  it("stores the valid expectations once and comments once that they are watched", async () => {
    const payload = mergedPayload();
    const pr = (payload.pull_request as { number: number }).number;
    const scope = githubApi();
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: SHOP_FILES });
    const comments: string[] = [];
    mockWatchComment(scope, pr, comments);

    await receive(probot, "pull_request", payload);
    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
    const stored = await store.expectations.list({ repo: REPO_KEY });
    expect(stored.map((r) => [r.id, r.spec.tableId, r.spec.column, r.state])).toEqual([
      [`${REPO_KEY}#${pr}:4`, "orders", "customer_id", "watching"],
      [`${REPO_KEY}#${pr}:5`, "orders", undefined, "watching"],
    ]);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("Watching 2 expectations");
    expect(comments[0]).toContain(
      "line 6: column `customer` is not in `orders` — did you mean `customer_id`?",
    );
  });

  it("ignores a pull request closed without merging", async () => {
    await receive(probot, "pull_request", mergedPayload({ merged: false, merged_at: null }));
    expect(takeRecordedRequests()).toEqual([]);
    expect(await store.expectations.list({ repo: REPO_KEY })).toEqual([]);
  });
});

describe("checkExpectationsForSignal", () => {
  const fingerprint = fingerprintOf({
    repo: REPO_KEY,
    dataset: "orders",
    column: "customer_id",
    metric: "completeness",
  });

  async function seed(points: Array<[string, number]>) {
    const payload = mergedPayload();
    const scope = githubApi();
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: SHOP_FILES });
    mockWatchComment(scope, 2, []);
    await receive(probot, "pull_request", payload);
    for (const [observedAt, value] of points) {
      await store.findings.addEvaluation({
        repo: REPO_KEY,
        fingerprint,
        evaluation: {
          observedAt,
          metric: "completeness",
          value,
          breached: value < 0.99,
          expected: false,
          severity: "error",
          signalId: observedAt,
        },
      });
    }
    nock.cleanAll();
    takeRecordedRequests();
    mockInstallationToken();
  }

  const reverts: Array<{ pr: number; mergeSha: string; autoMerge: boolean; author?: string }> = [];

  async function check(openRevert?: OpenRevert) {
    const octokit = await probot.auth(1);
    return checkExpectationsForSignal({
      octokit,
      deps: { store, clock: () => now },
      log: silentLog() as never,
      owner: OWNER,
      repo: REPO,
      repoKey: repoKeyOf(OWNER, REPO),
      fingerprint,
      config: { rollback: "manual" },
      openRevert:
        openRevert ??
        (async (input) => {
          reverts.push({
            pr: input.pr,
            mergeSha: input.mergeSha,
            autoMerge: input.autoMerge,
            ...(input.author ? { author: input.author } : {}),
          });
          return { number: 77, merged: false };
        }),
    });
  }

  it("comments once when an expectation is met, from the signals' own timestamps", async () => {
    await seed([
      ["2026-11-09T00:00:00Z", 0.9],
      ["2026-11-11T00:00:00Z", 0.995],
    ]);
    const comments: string[] = [];
    const scope = githubApi();
    mockWatchComment(scope, 2, comments);
    now = new Date("2030-01-01T00:00:00Z"); // the wall clock plays no part
    expect(await check()).toEqual([{ id: `${REPO_KEY}#2:4`, state: "met", settled: true }]);
    expect(await check()).toEqual([]);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("Expectation met");
    expect(comments[0]).toContain("2026-11-11T00:00:00Z");
  });

  it("resolves the finding a met expectation reads and closes its drift issue, once", async () => {
    await seed([["2026-11-11T00:00:00Z", 0.995]]);
    await store.findings.put(findingRecord({ repo: REPO_KEY, fingerprint, issueNumber: 12 }));
    const prComments: string[] = [];
    const issueComments: string[] = [];
    const closes: unknown[] = [];
    const scope = githubApi();
    mockWatchComment(scope, 2, prComments);
    mockWatchComment(scope, 12, issueComments);
    scope
      .patch(`/repos/${OWNER}/${REPO}/issues/12`, (b) => closes.push(b) > 0)
      .reply(200, { number: 12, state: "closed" });

    expect((await check())[0]?.state).toBe("met");
    expect(await check()).toEqual([]);

    expect(scope.isDone()).toBe(true);
    expect(issueComments).toHaveLength(1);
    expect(issueComments[0]).toContain(
      "Resolved: #2 said `completeness(orders.customer_id) >= 0.99 within 3d`",
    );
    expect(issueComments[0]).toContain("2026-11-11T00:00:00Z");
    expect(closes).toEqual([{ state: "closed", state_reason: "completed" }]);
    expect((await store.findings.get({ repo: REPO_KEY, fingerprint }))?.state).toBe("resolved");
  });

  it("leaves a finding triage already resolved alone when the expectation is met", async () => {
    await seed([["2026-11-11T00:00:00Z", 0.995]]);
    await store.findings.put(
      findingRecord({ repo: REPO_KEY, fingerprint, issueNumber: 12, state: "resolved" }),
    );
    const prComments: string[] = [];
    mockWatchComment(githubApi(), 2, prComments);

    expect((await check())[0]?.state).toBe("met");
    expect(takeRecordedRequests().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/${OWNER}/${REPO}/issues/2/comments`,
    ]);
  });

  it("keeps watching while points fail before the deadline, then reports the violation with evidence", async () => {
    await seed([["2026-11-11T00:00:00Z", 0.95]]);
    expect(await check()).toEqual([{ id: `${REPO_KEY}#2:4`, state: "watching", settled: false }]);
    await store.findings.addEvaluation({
      repo: REPO_KEY,
      fingerprint,
      evaluation: {
        observedAt: "2026-11-13T06:00:00Z",
        metric: "completeness",
        value: 0.96,
        breached: true,
        expected: false,
        severity: "error",
        signalId: "late",
      },
    });
    const comments: string[] = [];
    mockWatchComment(githubApi(), 2, comments);
    expect((await check())[0]?.state).toBe("violated");
    expect(comments[0]).toContain("Expectation violated");
    expect(comments[0]).toContain("| 2026-11-13T06:00:00Z | 0.96 | **no** |");
    expect((await store.expectations.list({ repo: REPO_KEY, state: "violated" })).map((r) => r.pr)).toEqual([
      2,
    ]);
  });

  async function seedViolation() {
    await seed([
      ["2026-11-11T00:00:00Z", 0.95],
      ["2026-11-13T06:00:00Z", 0.96],
    ]);
    reverts.length = 0;
  }

  const listComments = (scope: nock.Scope, pr: number, bodies: string[]) =>
    scope
      .get(`/repos/${OWNER}/${REPO}/issues/${pr}/comments`)
      .query(true)
      .reply(
        200,
        bodies.map((b, i) => ({ id: i + 1, body: b })),
      );

  it("puts a violation back under watch when opening the revert throws, and the retry opens it and comments once", async () => {
    await seedViolation();
    let calls = 0;
    const flaky: OpenRevert = async (input) => {
      calls += 1;
      if (calls === 1) throw new Error("GitHub is down");
      reverts.push({ pr: input.pr, mergeSha: input.mergeSha, autoMerge: input.autoMerge });
      return { number: 77, merged: false };
    };
    await expect(check(flaky)).rejects.toThrow("GitHub is down");
    expect((await store.expectations.get(`${REPO_KEY}#2:4`))?.state).toBe("watching");
    expect(takeRecordedRequests()).toEqual([]);

    const comments: string[] = [];
    const scope = githubApi();
    listComments(scope, 2, []);
    mockWatchComment(scope, 2, comments);
    expect(await check(flaky)).toEqual([{ id: `${REPO_KEY}#2:4`, state: "violated", settled: true }]);
    expect(scope.isDone()).toBe(true);
    expect(reverts).toEqual([{ pr: 2, mergeSha: MERGE_SHA, autoMerge: false }]);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("Opened #77 to revert this pull request");
    expect(await check(flaky)).toEqual([]);
    const stored = await store.expectations.get(`${REPO_KEY}#2:4`);
    expect([stored?.state, stored?.revertPr]).toEqual(["violated", 77]);
  });

  it("retries instead of reporting when another run holds the revert branch", async () => {
    await seedViolation();
    const busy: OpenRevert = async () => ({ problem: "another run is writing it", retryable: true });
    await expect(check(busy)).rejects.toThrow("another run is writing it");
    expect(takeRecordedRequests()).toEqual([]);
    expect((await store.expectations.get(`${REPO_KEY}#2:4`))?.state).toBe("watching");
  });

  it("reports a revert that cannot be opened as final", async () => {
    await seedViolation();
    const comments: string[] = [];
    mockWatchComment(githubApi(), 2, comments);
    const refused: OpenRevert = async () => ({ problem: "the revert no longer applies cleanly" });
    expect((await check(refused))[0]?.state).toBe("violated");
    expect(comments[0]).toContain("No revert pull request was opened: the revert no longer applies cleanly");
  });

  it("does not comment twice when GitHub took the verdict comment before the run failed", async () => {
    await seed([["2026-11-11T00:00:00Z", 0.995]]);
    await store.findings.put(findingRecord({ repo: REPO_KEY, fingerprint, issueNumber: 12 }));
    const first: string[] = [];
    const scope = githubApi();
    mockWatchComment(scope, 2, first);
    scope.post(`/repos/${OWNER}/${REPO}/issues/12/comments`).reply(500, { message: "Server Error" });
    await expect(check()).rejects.toThrow();
    expect(first).toHaveLength(1);
    expect((await store.expectations.get(`${REPO_KEY}#2:4`))?.state).toBe("watching");

    const again = githubApi();
    listComments(again, 2, first);
    const issueComments: string[] = [];
    mockWatchComment(again, 12, issueComments);
    again.patch(`/repos/${OWNER}/${REPO}/issues/12`).reply(200, { number: 12, state: "closed" });
    expect((await check())[0]).toEqual({ id: `${REPO_KEY}#2:4`, state: "met", settled: true });
    expect(again.pendingMocks()).toEqual([]);
    expect(
      takeRecordedRequests().filter((r) => r.method === "POST" && r.path.endsWith("/issues/2/comments")),
    ).toHaveLength(1);
    expect(issueComments).toHaveLength(1);
  });
});

describe("the deadline job", () => {
  const fingerprint = fingerprintOf({
    repo: REPO_KEY,
    dataset: "orders",
    column: "customer_id",
    metric: "completeness",
  });

  async function merge() {
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: SHOP_FILES });
    mockWatchComment(githubApi(), 2, []);
    await receive(probot, "pull_request", mergedPayload());
    await receive(probot, "pull_request", mergedPayload());
    nock.cleanAll();
    takeRecordedRequests();
    mockInstallationToken();
  }

  const drain = () =>
    createWorker({
      store,
      workerId: "test",
      clock: () => now,
      handlers: Object.fromEntries([
        expectationDeadlineHandler({
          deps: { store, clock: () => now, appId: TEST_APP_ID },
          log: silentLog(),
          octokitFor: () => probot.auth(1),
        }),
      ]),
    }).drain();

  it("calls an expectation no signal settled inconclusive a day after its deadline, comments once and resolves nothing", async () => {
    await merge();
    const jobs = await store.jobs.list({ kind: "expectation-deadline" });
    expect(jobs.map((j) => [j.payload, j.runAt.toISOString()]).sort()).toEqual([
      [{ repo: `${OWNER}/${REPO}`, id: `${REPO_KEY}#2:4` }, "2026-11-14T00:00:00.000Z"],
      [{ repo: `${OWNER}/${REPO}`, id: `${REPO_KEY}#2:5` }, "2026-11-18T00:00:00.000Z"],
    ]);
    await store.findings.put(findingRecord({ repo: REPO_KEY, fingerprint, issueNumber: 12 }));
    now = new Date("2026-11-13T23:59:00Z");
    await drain();
    expect((await store.expectations.get(`${REPO_KEY}#2:4`))?.state).toBe("watching");

    const comments: string[] = [];
    mockWatchComment(githubApi(), 2, comments);
    now = new Date("2026-11-14T00:00:01Z");
    await drain();

    const settled = await store.expectations.get(`${REPO_KEY}#2:4`);
    expect(settled?.state).toBe("inconclusive");
    expect(settled?.verdict?.reason).toBe(
      "no signal for `completeness` arrived by 2026-11-13T00:00:00.000Z (+1 day grace)",
    );
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("Expectation inconclusive");
    expect(comments[0]).toContain("(+1 day grace)");
    expect((await store.expectations.get(`${REPO_KEY}#2:5`))?.state).toBe("watching");
    expect((await store.findings.get({ repo: REPO_KEY, fingerprint }))?.state).toBe("open");
    expect(
      takeRecordedRequests().filter((r) => r.method !== "GET" && !r.path.includes("access_tokens")),
    ).toEqual([
      expect.objectContaining({ method: "POST", path: `/repos/${OWNER}/${REPO}/issues/2/comments` }),
    ]);
  });

  it("leaves an expectation its signals already settled alone", async () => {
    await merge();
    await store.expectations.settle({
      id: `${REPO_KEY}#2:4`,
      from: "watching",
      state: "met",
      verdict: { state: "met", reason: "held", evidence: [] },
      now,
    });
    now = new Date("2026-11-14T00:00:01Z");
    await drain();
    const job = (await store.jobs.list({ kind: "expectation-deadline" })).find(
      (j) => (j.payload as { id: string }).id === `${REPO_KEY}#2:4`,
    );
    expect(job?.state).toBe("done");
    expect(takeRecordedRequests().filter((r) => !r.path.includes("access_tokens"))).toEqual([]);
    expect((await store.expectations.get(`${REPO_KEY}#2:4`))?.verdict?.reason).toBe("held");
  });

  it("names the metrics the signals carried when none was the expected one", async () => {
    await merge();
    await store.findings.addEvaluation({
      repo: REPO_KEY,
      fingerprint,
      evaluation: {
        observedAt: "2026-11-11T00:00:00Z",
        metric: "null_rate",
        value: 0.001,
        breached: false,
        expected: false,
        severity: "error",
        signalId: "n1",
      },
    });
    mockWatchComment(githubApi(), 2, []);
    now = new Date("2026-11-14T00:00:01Z");
    await drain();
    expect((await store.expectations.get(`${REPO_KEY}#2:4`))?.state).toBe("inconclusive");
    expect((await store.expectations.get(`${REPO_KEY}#2:4`))?.verdict?.reason).toContain(
      "; its signals carry `null_rate`, which does not read like `completeness`",
    );
  });
});
