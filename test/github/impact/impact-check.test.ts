import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_PATH } from "../../../src/core/config/schema.js";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { IMPACT_CHECK_NAME } from "../../../src/github/services/plan-impact-check.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { contentFile, contentsPath, githubApi, NOT_FOUND } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { receive } from "../../helpers/payloads.js";
import {
  ackPayload,
  BASE,
  type CheckRunBody,
  HEAD,
  mockCheckRuns,
  mockShopPullRequest,
  prPayload,
  repoOf,
} from "./shop-pull-request.js";

const NOW = new Date("2025-06-01T12:00:00Z");

let store: Store;
let probot: Probot;

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

describe("impact check run", () => {
  it("marks a breaking change action_required with annotations and the acknowledge button", async () => {
    const payload = prPayload();
    const { scope, owner, repo } = mockShopPullRequest("breaking", payload);
    const bodies = mockCheckRuns(scope, owner, repo);

    await receive(probot, "pull_request", payload);

    expect(bodies.map((b) => b.method)).toEqual(["POST", "PATCH"]);
    expect(bodies[0]?.body).toMatchObject({ name: IMPACT_CHECK_NAME, head_sha: HEAD, status: "in_progress" });
    const done = bodies[1]?.body;
    expect(done).toMatchObject({ status: "completed", conclusion: "action_required" });
    expect(done?.actions).toEqual([
      {
        label: "Acknowledge breaking",
        description: "Accept this impact for this pull request",
        identifier: "ack-breaking",
      },
    ]);
    expect(done?.output?.title).toBe(
      "Breaking: 5 downstream models and 3 contracts affected; owner acknowledgement needed",
    );
    expect(done?.output?.annotations).toEqual([
      expect.objectContaining({
        path: "models/staging/stg_orders.sql",
        start_line: 12,
        annotation_level: "failure",
      }),
    ]);
    expect(done?.output?.summary).toContain("```mermaid");
    // The details carry every list in full, within GitHub's own 65,535-character budget for `text`.
    expect(done?.output?.text).toContain("stg_orders");
    expect(done?.output?.text?.length).toBeLessThanOrEqual(65_535);
  });

  it("marks a non-breaking change without downstream readers success, without a button", async () => {
    const payload = prPayload();
    const { scope, owner, repo } = mockShopPullRequest("non-breaking", payload);
    const bodies = mockCheckRuns(scope, owner, repo);

    await receive(probot, "pull_request", payload);

    const done = bodies.find((b) => b.method === "PATCH")?.body;
    expect(done).toMatchObject({ conclusion: "success", actions: [] });
    expect(done?.output?.title).toContain("Non-breaking");
  });

  it("writes one check run when the same delivery arrives twice, and reuses the caches", async () => {
    const payload = prPayload();
    const { scope, owner, repo, git } = mockShopPullRequest("breaking", payload);
    const bodies = mockCheckRuns(scope, owner, repo);

    await receive(probot, "pull_request", payload, "same-delivery");
    takeRecordedRequests();
    await receive(probot, "pull_request", payload, "same-delivery");

    expect(bodies.map((b) => b.method)).toEqual(["POST", "PATCH"]);
    const second = takeRecordedRequests().filter((r) => !r.path.includes("access_tokens"));
    // A warm redelivery: config, compare, nothing else (trees, blobs and analyses are cached; the result is unchanged).
    expect(second.map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual([
      `GET ${contentsPath(owner, repo, CONFIG_PATH)}`,
      `GET /repos/${owner}/${repo}/compare/${BASE}...${HEAD}`,
    ]);
    expect([...git.blobReads.values()].every((n) => n === 1)).toBe(true);
  });

  it("writes one check run when two deliveries for the same SHA race", async () => {
    const opened = prPayload("opened");
    const reopened = prPayload("reopened");
    const { scope, owner, repo } = mockShopPullRequest("breaking", opened);
    const bodies = mockCheckRuns(scope, owner, repo);

    await Promise.all([receive(probot, "pull_request", opened), receive(probot, "pull_request", reopened)]);

    expect(bodies.filter((b) => b.method === "POST")).toHaveLength(1);
    expect(bodies.filter((b) => b.method === "PATCH")).toHaveLength(1);
  });

  it("keeps an invalid config in the pull request a failing check listing the problems", async () => {
    const payload = prPayload();
    const { owner, repo } = repoOf(payload);
    const scope = githubApi();
    scope
      .get(contentsPath(owner, repo, CONFIG_PATH))
      .query({ ref: HEAD })
      .reply(200, contentFile(CONFIG_PATH, "dialect: oracle\n"));
    scope
      .get(`/repos/${owner}/${repo}/compare/${BASE}...${HEAD}`)
      .query(true)
      .reply(200, {
        merge_base_commit: { sha: BASE },
        files: [{ filename: CONFIG_PATH, status: "modified", sha: "c" }],
      });
    scope
      .get(`/repos/${owner}/${repo}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    scope
      .post(`/repos/${owner}/${repo}/check-runs`, (b: CheckRunBody) => b.conclusion === "failure")
      .reply(201, { id: 5 });

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
  });

  it("needs at most 5 requests plus the changed files for a push on a warm cache", async () => {
    const first = prPayload();
    const { scope, owner, repo } = mockShopPullRequest("breaking", first);
    const bodies = mockCheckRuns(scope, owner, repo);
    await receive(probot, "pull_request", first);
    const next = "c".repeat(40);
    const pushed = prPayload("synchronize", next);
    const again = mockShopPullRequest("breaking", pushed, next);
    mockCheckRuns(again.scope, owner, repo, next, 78, bodies);
    takeRecordedRequests();

    await receive(probot, "pull_request", pushed);

    const calls = takeRecordedRequests().filter((r) => !r.path.includes("access_tokens"));
    expect(calls.length).toBeLessThanOrEqual(5 + again.scenario.changed.length);
    expect(calls.filter((r) => r.path.includes("/git/blobs/"))).toEqual([]);
    expect(bodies.at(-1)?.body.conclusion).toBe("action_required");
  });
});

describe("acknowledging a breaking change", () => {
  async function openBreaking() {
    const payload = prPayload();
    const mocks = mockShopPullRequest("breaking", payload);
    const bodies = mockCheckRuns(mocks.scope, mocks.owner, mocks.repo);
    await receive(probot, "pull_request", payload);
    return { ...mocks, bodies, payload };
  }

  it("passes the check run and records the sign-off when an owner of an affected contract acknowledges", async () => {
    const { bodies, payload, owner, repo } = await openBreaking();

    await receive(probot, "check_run", ackPayload("bob-engineer", payload));

    const last = bodies.at(-1)?.body;
    expect(bodies.filter((b) => b.method === "POST")).toHaveLength(1);
    expect(last).toMatchObject({ conclusion: "success", actions: [] });
    expect(last?.output?.title).toBe("Breaking change acknowledged by @bob-engineer");
    expect(last?.output?.summary).toContain("Acknowledged by");
    const audit = await store.audit.list({ action: "impact.acknowledge" });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: "bob-engineer",
      repo: repoKeyOf(owner, repo),
      target: `pull/${(payload.pull_request as { number: number }).number}`,
    });
    expect(audit[0]?.detail).toMatchObject({ headSha: HEAD, right: "owner @bob-engineer" });
  });

  it("accepts a member of an owning team", async () => {
    const { bodies, payload, scope } = await openBreaking();
    scope
      .get("/orgs/shop-data/teams/analytics-eng/memberships/tina")
      .reply(200, { url: "", role: "member", state: "active" });

    await receive(probot, "check_run", ackPayload("tina", payload));

    expect(bodies.at(-1)?.body.conclusion).toBe("success");
  });

  it("refuses a stranger and changes nothing", async () => {
    const { bodies, payload, scope, owner, repo } = await openBreaking();
    scope.get("/orgs/shop-data/teams/analytics-eng/memberships/mallory").reply(404, NOT_FOUND);
    scope
      .get(`/repos/${owner}/${repo}/collaborators/mallory/permission`)
      .reply(200, { permission: "write", role_name: "write", user: null });
    const before = bodies.length;

    await receive(probot, "check_run", ackPayload("mallory", payload));

    expect(bodies).toHaveLength(before);
    expect(await store.audit.list({ action: "impact.acknowledge" })).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it("keeps the acknowledgement for a new commit with the same impact", async () => {
    const { payload, owner, repo, bodies } = await openBreaking();
    await receive(probot, "check_run", ackPayload("bob-engineer", payload));
    const next = "d".repeat(40);
    const pushed = prPayload("synchronize", next);
    const again = mockShopPullRequest("breaking", pushed, next);
    mockCheckRuns(again.scope, owner, repo, next, 79, bodies);

    await receive(probot, "pull_request", pushed);

    expect(bodies.at(-1)?.body.conclusion).toBe("success");
  });
});
