import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_PATH } from "../../../src/core/config/schema.js";
import { IMPACT_CHECK_NAME } from "../../../src/github/services/plan-impact-check.js";
import { createBackflowApp } from "../../../src/index.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { exampleScenario } from "../../core/impact/example-scenarios.js";
import {
  contentFile,
  contentsPath,
  githubApi,
  mockInstallationToken,
  NOT_FOUND,
} from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { createTestProbot, TEST_APP_ID } from "../../helpers/probot.js";
import { mockCompare, mockGitRepo } from "./fake-repo.js";

const NOW = new Date("2025-06-01T12:00:00Z");
const BASE = "a".repeat(40);
const HEAD = "b".repeat(40);
type Body = Record<string, unknown> & {
  output?: { title?: string; summary?: string; annotations?: unknown[] };
  actions?: unknown[];
};

let store: Store;
let probot: Probot;

function prPayload(action = "opened", head = HEAD) {
  return loadPayload("pull_request", {
    action,
    overrides: { pull_request: { base: { sha: BASE }, head: { sha: head } } },
  });
}

function repoOf(payload: Record<string, unknown>) {
  const repository = payload.repository as { name: string; owner: { login: string } };
  return { owner: repository.owner.login, repo: repository.name };
}

/** A pull request on the example shop: base = the shop, head = the shop with the scenario's files. */
function mockShopPullRequest(
  scenario: "breaking" | "non-breaking",
  payload: Record<string, unknown>,
  head = HEAD,
) {
  const { owner, repo } = repoOf(payload);
  const s = exampleScenario(scenario);
  const scope = githubApi();
  scope
    .get(contentsPath(owner, repo, CONFIG_PATH))
    .query({ ref: head })
    .reply(200, contentFile(CONFIG_PATH, s.head.get(CONFIG_PATH) ?? ""))
    .persist();
  const git = mockGitRepo(scope, { owner, repo, commits: { [BASE]: s.base, [head]: s.head } });
  mockCompare(scope, { owner, repo, base: BASE, head, files: s.head, changed: s.changed }).persist();
  return { scope, owner, repo, git, scenario: s };
}

/** Check run writes of the current test, in order, whichever mock answered them. */
let written: { method: string; body: Body }[] = [];

function mockCheckRuns(scope: nock.Scope, owner: string, repo: string, sha = HEAD, id = 77) {
  const bodies = written;
  scope
    .get(`/repos/${owner}/${repo}/commits/${sha}/check-runs`)
    .query({ check_name: IMPACT_CHECK_NAME, filter: "latest", per_page: "100", app_id: String(TEST_APP_ID) })
    .reply(200, { total_count: 0, check_runs: [] });
  scope
    .post(`/repos/${owner}/${repo}/check-runs`, (body: Body) => {
      bodies.push({ method: "POST", body });
      return true;
    })
    .reply(201, { id });
  scope
    .patch(`/repos/${owner}/${repo}/check-runs/${id}`, (body: Body) => {
      bodies.push({ method: "PATCH", body });
      return true;
    })
    .reply(200, { id })
    .persist();
  return bodies;
}

beforeEach(async () => {
  written = [];
  store = openSqliteStore(":memory:");
  probot = await createTestProbot({
    app: createBackflowApp({ store, clock: () => NOW, appId: TEST_APP_ID }),
  });
  mockInstallationToken();
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

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
      "Breaking: 5 downstream model(s), 3 contract(s) affected; owner acknowledgement needed",
    );
    expect(done?.output?.annotations).toEqual([
      expect.objectContaining({
        path: "models/staging/stg_orders.sql",
        start_line: 12,
        annotation_level: "failure",
      }),
    ]);
    expect(done?.output?.summary).toContain("```mermaid");
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
      .post(`/repos/${owner}/${repo}/check-runs`, (b: Body) => b.conclusion === "failure")
      .reply(201, { id: 5 });

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
  });

  it("needs at most 5 requests plus the changed files for a push on a warm cache", async () => {
    const first = prPayload();
    const { scope, owner, repo } = mockShopPullRequest("breaking", first);
    mockCheckRuns(scope, owner, repo);
    await receive(probot, "pull_request", first);
    const next = "c".repeat(40);
    const pushed = prPayload("synchronize", next);
    const again = mockShopPullRequest("breaking", pushed, next);
    const bodies = mockCheckRuns(again.scope, owner, repo, next, 78);
    takeRecordedRequests();

    await receive(probot, "pull_request", pushed);

    const calls = takeRecordedRequests().filter((r) => !r.path.includes("access_tokens"));
    expect(calls.length).toBeLessThanOrEqual(5 + again.scenario.changed.length);
    expect(calls.filter((r) => r.path.includes("/git/blobs/"))).toEqual([]);
    expect(bodies.at(-1)?.body.conclusion).toBe("action_required");
  });
});

describe("acknowledging a breaking change", () => {
  function ackPayload(login: string, pr: Record<string, unknown>) {
    return loadPayload("check_run", {
      action: "requested_action",
      overrides: {
        check_run: { id: 77, name: IMPACT_CHECK_NAME, head_sha: HEAD },
        requested_action: { identifier: "ack-breaking" },
        sender: { login, type: "User" },
        repository: pr.repository,
        installation: { id: 1 },
      },
    });
  }

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
      repo: `${owner}/${repo}`,
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
    const { payload, owner, repo } = await openBreaking();
    await receive(probot, "check_run", ackPayload("bob-engineer", payload));
    const next = "d".repeat(40);
    const pushed = prPayload("synchronize", next);
    const again = mockShopPullRequest("breaking", pushed, next);
    const bodies = mockCheckRuns(again.scope, owner, repo, next, 79);

    await receive(probot, "pull_request", pushed);

    expect(bodies.at(-1)?.body.conclusion).toBe("success");
  });
});
