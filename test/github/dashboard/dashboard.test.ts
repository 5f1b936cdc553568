import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { DASHBOARD_MARKER } from "../../../src/core/render/render-dashboard.js";
import { refreshDashboard } from "../../../src/github/dashboard/refresh-dashboard.js";
import { DASHBOARD_ISSUE_KEY } from "../../../src/github/dashboard/upsert-dashboard.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { githubApi, mockOrgConfigFile } from "../../helpers/github-nock.js";
import { checkRequest, takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { silentLog } from "../../helpers/probot.js";
import { findingRecord, OWNER, REPO, REPO_KEY } from "../commands/fixtures.js";
import { mockDefaultBranch } from "../expectations/default-branch.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const BACKFLOW_BOT = { login: "backflow[bot]", type: "Bot" };
const API = `/repos/${OWNER}/${REPO}`;
const FILES = {
  "models/orders.sql": "select id, customer_id from raw.orders\n",
  "contracts/orders.odcs.yaml": [
    "apiVersion: v3.0.0",
    "kind: DataContract",
    "id: orders-contract",
    "version: 1.2.0",
    "status: active",
    "team:",
    "  - username: '@acme/data'",
    "schema:",
    "  - name: orders",
    "    properties:",
    "      - name: id",
    "        logicalType: integer",
  ].join("\n"),
};

let store: Store;
let probot: Probot;

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

async function refresh() {
  const octokit = await probot.auth(1);
  return refreshDashboard({
    octokit,
    deps: { store, clock: () => NOW },
    log: silentLog() as never,
    owner: OWNER,
    repo: REPO,
    repoKey: repoKeyOf(OWNER, REPO),
  });
}

/** Writes to the repository since the last call; every taken request is checked first (it escapes setup.ts's check). */
function writes() {
  const requests = takeRecordedRequests();
  expect(requests.flatMap(checkRequest)).toEqual([]);
  return requests.filter((r) => r.method !== "GET" && r.path.startsWith("/repos/"));
}

describe("feedback dashboard", () => {
  it("creates the dashboard once, then leaves it alone when nothing changed, then updates it in place", async () => {
    await store.findings.put(findingRecord());
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: FILES });
    const scope = githubApi({ persist: true });
    scope
      .get(`${API}/issues`)
      .query({ state: "open", labels: "backflow:proposal", per_page: "100" })
      .reply(200, []);
    scope.get(`${API}/issues`).query({ state: "open", per_page: "100" }).reply(200, []);
    let body = "";
    scope
      .post(`${API}/issues`, (b) => {
        body = b.body;
        return true;
      })
      .reply(201, { number: 42, node_id: "I_kwDOissue42" });
    scope
      .post("/graphql", (b) => b.variables?.issueId === "I_kwDOissue42")
      .reply(200, { data: { pinIssue: { issue: { number: 42, isPinned: true } } } });
    scope
      .get(`${API}/issues/42`)
      .reply(200, () => ({ number: 42, title: "Backflow feedback dashboard", body, state: "open" }));
    scope
      .patch(`${API}/issues/42`, (b) => {
        body = b.body;
        return true;
      })
      .reply(200, { number: 42 });

    expect(await refresh()).toEqual({ action: "created", number: 42, pin: { issue: 42, pinned: true } });
    expect(body).toContain(DASHBOARD_MARKER);
    expect(body).toContain("orders.customer\\_id completeness");
    expect(body).toContain("| `orders-contract` | 1.2.0 | `orders` | `@acme/data` |");
    expect(await store.repoState.get({ repo: REPO_KEY, key: DASHBOARD_ISSUE_KEY })).toBe(42);
    expect(writes().map((w) => w.method)).toEqual(["POST"]);
    expect(body).not.toContain("Not pinned");

    expect(await refresh()).toEqual({ action: "unchanged", number: 42 });
    expect(writes()).toEqual([]);

    await store.annotations.add({
      id: "a1",
      repo: REPO_KEY,
      dataset: "orders",
      kind: "event",
      from: "2026-11-24T00:00:00.000Z",
      note: "outage",
      author: "ana",
      createdAt: NOW.toISOString(),
    });
    expect(await refresh()).toEqual({ action: "updated", number: 42 });
    expect(writes().map((w) => w.method)).toEqual(["PATCH"]);
    expect(body).toContain("outage");
  });

  it("runs a ticked action, clears the box, and ignores edits by bots", async () => {
    const issueBody = `${DASHBOARD_MARKER}\n### Actions\n- [x] <!-- backflow:action refresh --> Refresh this dashboard now\n`;
    const scope = githubApi();
    let cleared = "";
    // The job reads the dashboard as GitHub holds it now, then clears the ticked box.
    scope.get(`${API}/issues/42`).reply(200, { number: 42, body: issueBody });
    scope
      .patch(`${API}/issues/42`, (b) => {
        cleared = b.body;
        return true;
      })
      .reply(200, { number: 42 });
    const payload = loadPayload("issues", {
      action: "edited",
      overrides: { issue: { number: 42, body: issueBody, user: BACKFLOW_BOT } },
    });
    await receive(probot, "issues", payload);
    expect(scope.isDone()).toBe(true);
    expect(cleared).toContain("- [ ] <!-- backflow:action refresh -->");
    expect((await store.jobs.list({ kind: "refresh-dashboard" })).map((j) => j.payload)).toEqual([
      { repo: REPO_KEY },
    ]);
    expect((await store.audit.list({ repo: REPO_KEY })).map((a) => a.action)).toEqual(["dashboard.refresh"]);

    takeRecordedRequests();
    await receive(
      probot,
      "issues",
      loadPayload("issues", {
        action: "edited",
        overrides: { issue: { number: 42, body: issueBody, user: BACKFLOW_BOT }, sender: { type: "Bot" } },
      }),
    );
    expect(writes()).toEqual([]);
  });

  it.each([
    ["write", "proposal queued for #1"],
    ["triage", "refused: needs write"],
  ])("a ticked propose box from a %s user runs /backflow propose's permission rule", async (role, result) => {
    await store.findings.put(findingRecord());
    const fingerprint = findingRecord().fingerprint;
    const issueBody = `${DASHBOARD_MARKER}\n- [x] <!-- backflow:action propose ${fingerprint} --> Propose a fix for #1\n`;
    const scope = githubApi();
    scope.get(`${API}/issues/42`).reply(200, { number: 42, body: issueBody });
    scope.patch(`${API}/issues/42`).reply(200, { number: 42 });
    scope
      .get(`${API}/contents/${encodeURIComponent(".github/backflow.yml")}`)
      .reply(404, { message: "Not Found" });
    mockOrgConfigFile(scope, { owner: OWNER, text: null });
    scope
      .get(new RegExp(`${API}/collaborators/[^/]+/permission`))
      .reply(200, { permission: role === "write" ? "write" : "read", role_name: role });
    const refusals: string[] = [];
    if (role !== "write")
      scope.post(`${API}/issues/42/comments`, (b) => refusals.push(b.body) > 0).reply(201, { id: 1 });

    await receive(
      probot,
      "issues",
      loadPayload("issues", {
        action: "edited",
        overrides: { issue: { number: 42, body: issueBody, user: BACKFLOW_BOT } },
      }),
    );

    expect(scope.isDone()).toBe(true);
    const audit = await store.audit.list({ repo: REPO_KEY });
    expect(audit.map((a) => [a.action, a.detail])).toEqual([
      ["dashboard.propose", { action: "propose", fingerprint, result }],
    ]);
    const proposals = (await store.jobs.list({ kind: "open-proposal" })).map((j) => j.payload);
    if (role === "write") {
      expect(proposals).toEqual([
        { repo: `${OWNER}/${REPO}`, fingerprint, kind: "cleansing", issueNumber: 1 },
      ]);
      expect(refusals).toEqual([]);
    } else {
      expect(proposals).toEqual([]);
      expect(refusals[0]).toContain("proposing a fix needs write access");
    }
  });

  it.each([
    ["a person's issue that carries the marker", { number: 42, user: { login: "mallory", type: "User" } }],
    ["another bot issue than the known dashboard", { number: 43, user: BACKFLOW_BOT }],
  ])("runs no action from %s", async (_case, issue) => {
    await store.repoState.put({ repo: REPO_KEY, key: DASHBOARD_ISSUE_KEY, value: 42, now: NOW });
    const body = `${DASHBOARD_MARKER}\n- [x] <!-- backflow:action refresh --> Refresh this dashboard now\n`;
    await receive(
      probot,
      "issues",
      loadPayload("issues", { action: "edited", overrides: { issue: { ...issue, body } } }),
    );
    expect(writes()).toEqual([]);
    expect(await store.jobs.list({ kind: "refresh-dashboard" })).toEqual([]);
    expect(await store.audit.list({ repo: REPO_KEY })).toEqual([]);
  });

  it("debounces refresh requests to one job per repository and minute", async () => {
    const { enqueueDashboardRefresh } = await import(
      "../../../src/github/dashboard/refresh-dashboard-job.js"
    );
    await enqueueDashboardRefresh({ store, repo: "Codertocat/Hello-World", now: NOW });
    await enqueueDashboardRefresh({ store, repo: REPO_KEY, now: new Date(NOW.getTime() + 30_000) });
    await enqueueDashboardRefresh({ store, repo: REPO_KEY, now: new Date(NOW.getTime() + 60_000) });
    const jobs = await store.jobs.list({ kind: "refresh-dashboard" });
    expect(jobs.map((j) => j.runAt.toISOString())).toEqual([
      "2026-11-25T12:01:00.000Z",
      "2026-11-25T12:02:00.000Z",
    ]);
  });
});
