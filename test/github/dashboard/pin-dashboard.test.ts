import nock from "nock";
import { pino } from "pino";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { DASHBOARD_MARKER } from "../../../src/core/render/render-dashboard.js";
import {
  DASHBOARD_PIN_KEY,
  PIN_ISSUE_MUTATION,
  pinDashboard,
  pinFailureReason,
} from "../../../src/github/dashboard/pin-dashboard.js";
import { refreshDashboard } from "../../../src/github/dashboard/refresh-dashboard.js";
import { DASHBOARD_ISSUE_KEY, upsertDashboard } from "../../../src/github/dashboard/upsert-dashboard.js";
import { createBackflowApp } from "../../../src/index.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { checkGraphqlRequest } from "../../helpers/graphql-conformance.js";
import {
  checkRequest,
  type RecordedRequest,
  takeRecordedRequests,
} from "../../helpers/openapi-conformance.js";
import { createTestProbot, TEST_APP_ID } from "../../helpers/probot.js";
import { findingRecord, OWNER, REPO, REPO_KEY } from "../commands/fixtures.js";
import { mockDefaultBranch } from "../expectations/default-branch.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const API = `/repos/${OWNER}/${REPO}`;
// Example refusal; GitHub answers 200 with an `errors` array when the mutation is refused.
const LIMIT_MESSAGE = "Repository already has 3 pinned issues";

type FakeIssue = { number: number; node_id: string; title: string; body: string; state: "open" | "closed" };

/** An in-memory issue tracker behind nock: create, get (410 once deleted), list, update, pin. */
function fakeIssues(scope: nock.Scope, options: { refusePin: boolean } = { refusePin: false }) {
  const issues = new Map<number, FakeIssue>();
  const deleted = new Set<number>();
  let next = 42;
  scope
    .get(`${API}/issues`)
    .query({ state: "open", labels: "backflow:proposal", per_page: "100" })
    .reply(200, []);
  scope
    .get(`${API}/issues`)
    .query({ state: "open", per_page: "100" })
    .reply(200, () => [...issues.values()].filter((i) => i.state === "open"));
  scope.post(`${API}/issues`).reply(201, (_uri, body) => {
    const { title, body: text } = body as { title: string; body: string };
    const issue: FakeIssue = { number: next, node_id: `I_kwDOnode${next}`, title, body: text, state: "open" };
    issues.set(next++, issue);
    return issue;
  });
  scope.get(new RegExp(`^${API}/issues/\\d+$`)).reply((uri) => {
    const number = Number(uri.split("/").pop());
    if (deleted.has(number)) return [410, { message: "This issue was deleted", status: "410" }];
    const issue = issues.get(number);
    return issue ? [200, issue] : [404, { message: "Not Found", status: "404" }];
  });
  scope.patch(new RegExp(`^${API}/issues/\\d+$`)).reply((uri, body) => {
    const issue = issues.get(Number(uri.split("/").pop()));
    if (!issue) return [404, { message: "Not Found", status: "404" }];
    Object.assign(issue, body as Partial<FakeIssue>);
    return [200, issue];
  });
  const state = { refusePin: options.refusePin };
  scope
    .post("/graphql")
    .reply(200, () =>
      state.refusePin ? refused() : { data: { pinIssue: { issue: { number: next - 1, isPinned: true } } } },
    );
  return {
    issues,
    state,
    delete(number: number) {
      issues.delete(number);
      deleted.add(number);
    },
  };
}

function refused() {
  return {
    data: { pinIssue: null },
    errors: [
      {
        type: "UNPROCESSABLE",
        path: ["pinIssue"],
        locations: [{ line: 1, column: 38 }],
        message: LIMIT_MESSAGE,
      },
    ],
  };
}

let store: Store;
let probot: Probot;
let logLines: Array<{ level: number; msg: string; reason?: string }>;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  probot = await createTestProbot({
    app: createBackflowApp({ store, clock: () => NOW, appId: TEST_APP_ID }),
  });
  mockInstallationToken();
  mockDefaultBranch(githubApi(), {
    owner: OWNER,
    repo: REPO,
    files: { "models/orders.sql": "select id from raw.orders\n" },
  });
  logLines = [];
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

async function target(options: { dryRun?: boolean } = {}) {
  const log = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  return {
    octokit: await probot.auth(1),
    deps: { store, clock: () => NOW, ...(options.dryRun ? { dryRun: true } : {}) },
    log: log as never,
    owner: OWNER,
    repo: REPO,
    repoKey: repoKeyOf(OWNER, REPO),
  };
}

const refresh = async () => refreshDashboard(await target());
/** Takes the recorded requests, checking them first: taken requests escape setup.ts's check. */
function taken(): RecordedRequest[] {
  const requests = takeRecordedRequests();
  expect(requests.flatMap(checkRequest)).toEqual([]);
  return requests;
}
const graphqlRequests = (requests: RecordedRequest[]) => requests.filter((r) => r.path === "/graphql");
const issueWrites = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.path.startsWith(`${API}/issues`) && r.method !== "GET").map((r) => r.method);

describe("pinning the feedback dashboard", () => {
  it("pins a dashboard it creates, once, by the created issue's node id", async () => {
    await store.findings.put(findingRecord());
    fakeIssues(githubApi({ persist: true }));

    const write = await refresh();

    expect(write).toEqual({ action: "created", number: 42, pin: { issue: 42, pinned: true } });
    const requests = taken();
    const pins = graphqlRequests(requests);
    expect(pins).toHaveLength(1);
    expect(JSON.parse(pins[0]?.body ?? "{}")).toEqual({
      query: PIN_ISSUE_MUTATION,
      variables: { issueId: "I_kwDOnode42" },
    });
    expect(checkGraphqlRequest(pins[0]?.body ?? "")).toEqual([]);
    expect(issueWrites(requests)).toEqual(["POST"]);
    expect(await store.repoState.get({ repo: REPO_KEY, key: DASHBOARD_PIN_KEY })).toEqual({
      issue: 42,
      pinned: true,
    });
  });

  it("never pins when it updates or leaves the dashboard alone, so an unpinned dashboard stays unpinned", async () => {
    const fake = fakeIssues(githubApi({ persist: true }));
    await refresh();
    taken();

    expect((await refresh()).action).toBe("unchanged");
    await store.findings.put(findingRecord());
    expect(await refresh()).toEqual({ action: "updated", number: 42 });

    const requests = taken();
    expect(graphqlRequests(requests)).toEqual([]);
    expect(issueWrites(requests)).toEqual(["PATCH"]);
    expect(fake.issues.get(42)?.body).toContain("completeness");
  });

  it("keeps a dashboard GitHub refused to pin, says why in its body, and does not retry", async () => {
    const fake = fakeIssues(githubApi({ persist: true }), { refusePin: true });

    const write = await refresh();

    expect(write).toEqual({
      action: "created",
      number: 42,
      pin: { issue: 42, pinned: false, reason: LIMIT_MESSAGE },
    });
    expect(await store.repoState.get({ repo: REPO_KEY, key: DASHBOARD_ISSUE_KEY })).toBe(42);
    expect(await store.repoState.get({ repo: REPO_KEY, key: DASHBOARD_PIN_KEY })).toEqual({
      issue: 42,
      pinned: false,
      reason: LIMIT_MESSAGE,
    });
    const warning = logLines.find((l) => l.level === 40);
    expect(warning?.reason).toBe(LIMIT_MESSAGE);
    expect(warning?.msg).toContain("could not pin the dashboard issue");
    // Created, then rewritten at once with the reason; one pin attempt only.
    const first = taken();
    expect(issueWrites(first)).toEqual(["POST", "PATCH"]);
    expect(graphqlRequests(first)).toHaveLength(1);
    expect(fake.issues.get(42)?.body).toContain(
      "**Not pinned:** Repository already has 3 pinned issues — pin it from the issue's sidebar.",
    );
    expect(fake.issues.size).toBe(1);

    expect(await refresh()).toEqual({ action: "unchanged", number: 42 });
    const second = taken();
    expect(graphqlRequests(second)).toEqual([]);
    expect(issueWrites(second)).toEqual([]);
  });

  it("recreates and pins a dashboard someone deleted, dropping the old refusal note", async () => {
    const fake = fakeIssues(githubApi({ persist: true }), { refusePin: true });
    await refresh();
    fake.delete(42);
    fake.state.refusePin = false;
    taken();

    expect(await refresh()).toEqual({ action: "created", number: 43, pin: { issue: 43, pinned: true } });

    const requests = taken();
    expect(graphqlRequests(requests).map((r) => JSON.parse(r.body).variables)).toEqual([
      { issueId: "I_kwDOnode43" },
    ]);
    expect(issueWrites(requests)).toEqual(["POST", "PATCH"]);
    expect(fake.issues.get(43)?.body).toContain(DASHBOARD_MARKER);
    expect(fake.issues.get(43)?.body).not.toContain("Not pinned");
    expect(await store.repoState.get({ repo: REPO_KEY, key: DASHBOARD_ISSUE_KEY })).toBe(43);
  });

  it("in dry run, reads, logs the issue it would create and the pin mutation, and writes nothing", async () => {
    const fake = fakeIssues(githubApi({ persist: true }));
    const written = await upsertDashboard({
      ...(await target({ dryRun: true })),
      title: "t",
      body: DASHBOARD_MARKER,
    });
    const pinned = await pinDashboard({
      ...(await target({ dryRun: true })),
      issue: { number: 7, nodeId: "I_7" },
    });

    expect(written).toEqual({ action: "dry-run" });
    expect(pinned).toBeUndefined();
    expect(taken().filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"))).toEqual([]);
    expect(fake.issues.size).toBe(0);
    expect(logLines.filter((l) => l.msg.startsWith("dry run")).map((l) => l.msg)).toEqual([
      "dry run: would create an issue",
      "dry run: would pin the dashboard issue",
    ]);
    expect(logLines.find((l) => l.msg === "dry run: would pin the dashboard issue")).toMatchObject({
      payload: { query: PIN_ISSUE_MUTATION, variables: { issueId: "I_7" } },
    });
    expect(await store.repoState.get({ repo: REPO_KEY, key: DASHBOARD_PIN_KEY })).toBeNull();
    expect(await store.repoState.get({ repo: REPO_KEY, key: DASHBOARD_ISSUE_KEY })).toBeNull();
  });
});

describe("pinFailureReason", () => {
  const httpError = Object.assign(new Error("Resource not accessible by integration"), { status: 403 });
  it.each([
    ["GraphQL errors, joined", { errors: [{ message: "a" }, { message: "b" }] }, "a; b"],
    ["an HTTP error's message", httpError, "Resource not accessible by integration"],
    ["nothing for a bug (rethrown)", new TypeError("x is undefined"), undefined],
    ["nothing for a non-object", "boom", undefined],
  ])("gives %s", (_name, error, expected) => {
    expect(pinFailureReason(error)).toBe(expected);
  });

  it("caps a long reason so the dashboard body stays readable", () => {
    expect(pinFailureReason({ errors: [{ message: "x".repeat(1000) }] })).toHaveLength(300);
  });
});
