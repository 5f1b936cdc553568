import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { CONFIG_ERROR_MARKER } from "../../../src/github/render-config-problems.js";
import {
  CONFIG_VALIDATION_KEY,
  type ConfigValidationRecord,
} from "../../../src/github/services/record-config-validation.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { GITHUB_API, githubApi, mockConfigFile } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../../helpers/payloads.js";

const NOW = new Date("2025-06-01T12:00:00Z");
const OWNER = "Codertocat";
const REPO = "Hello-World";
const ISSUES = `/repos/${OWNER}/${REPO}/issues`;

let store: Store;
let probot: Probot;

/** A real push to the default branch whose single commit modifies `paths`. */
function pushPayload(paths: string[], overrides: Record<string, unknown> = {}) {
  const match = (e: Record<string, unknown>) =>
    e.deleted === false && Array.isArray(e.commits) && e.commits.length > 0;
  const base = loadPayload("push", { match });
  const [commit] = base.commits as Array<Record<string, unknown>>;
  return loadPayload("push", {
    match,
    overrides: {
      ref: "refs/heads/master",
      commits: [{ ...commit, added: [], removed: [], modified: paths }],
      ...overrides,
    },
  });
}

function afterSha(payload: Record<string, unknown>): string {
  return payload.after as string;
}

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

describe("push handler", () => {
  it("opens one tracking issue for an invalid default-branch config, and records the validation", async () => {
    const payload = pushPayload([".github/backflow.yml"]);
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, ref: afterSha(payload), text: "dialect: oracle\n" });
    scope.get(ISSUES).query({ state: "open", per_page: "100" }).reply(200, []);
    let body = "";
    scope
      .post(ISSUES, (b) => {
        body = b.body;
        return true;
      })
      .reply(201, { number: 7 });

    await receive(probot, "push", payload);

    expect(scope.isDone()).toBe(true);
    expect(body.startsWith(CONFIG_ERROR_MARKER)).toBe(true);
    expect(body).toContain("`dialect`: must be one of");
    const record = await store.repoState.get<ConfigValidationRecord>({
      repo: repoKeyOf(OWNER, REPO),
      key: CONFIG_VALIDATION_KEY,
    });
    expect(record).toMatchObject({ ok: false, ref: afterSha(payload), source: "invalid" });
    const audit = await store.audit.list({ repo: repoKeyOf(OWNER, REPO) });
    expect(audit.map((a) => a.action)).toEqual(["config.invalid"]);
  });

  it("does not open a second issue when the same bad config is pushed again", async () => {
    const payload = pushPayload([".github/backflow.yml"]);
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, ref: afterSha(payload), text: "dialect: oracle\n" });
    mockConfigFile(scope, { owner: OWNER, repo: REPO, ref: afterSha(payload), text: "dialect: oracle\n" });
    let created: { title: string; body: string } | undefined;
    scope.get(ISSUES).query(true).reply(200, []);
    scope
      .post(ISSUES, (b) => {
        created = { title: b.title, body: b.body };
        return true;
      })
      .reply(201, { number: 7 });
    scope
      .get(ISSUES)
      .query(true)
      .reply(200, () => [{ number: 7, title: created?.title, body: created?.body, state: "open" }]);

    await receive(probot, "push", payload);
    await receive(probot, "push", payload);

    expect(scope.isDone()).toBe(true);
    const writes = takeRecordedRequests().filter((r) => r.method !== "GET" && r.path.startsWith(ISSUES));
    expect(writes).toHaveLength(1);
  });

  it("closes the tracking issue, found on a later page, once the config validates", async () => {
    const payload = pushPayload([".github/backflow.yml"]);
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, ref: afterSha(payload), text: "dialect: bigquery\n" });
    scope
      .get(ISSUES)
      .query({ state: "open", per_page: "100" })
      .reply(200, [{ number: 1, title: "unrelated", body: "hello", state: "open" }], {
        link: `<${GITHUB_API}${ISSUES}?state=open&per_page=100&page=2>; rel="next"`,
      });
    scope
      .get(ISSUES)
      .query({ state: "open", per_page: "100", page: "2" })
      .reply(200, [
        { number: 9, title: "Backflow: config", body: `${CONFIG_ERROR_MARKER}\nold`, state: "open" },
      ]);
    scope.post(`${ISSUES}/9/comments`, (b) => b.body.includes(afterSha(payload))).reply(201, { id: 1 });
    scope.patch(`${ISSUES}/9`, { state: "closed", state_reason: "completed" }).reply(200, { number: 9 });

    await receive(probot, "push", payload);

    expect(scope.isDone()).toBe(true);
    const audit = await store.audit.list({ repo: repoKeyOf(OWNER, REPO) });
    expect(audit.map((a) => a.action)).toEqual(["config.valid"]);
  });

  it.each([
    ["a push to another branch", pushPayload([".github/backflow.yml"], { ref: "refs/heads/feature" })],
    ["a push that does not touch the config", pushPayload(["models/orders.sql"])],
    ["a deleted default branch", pushPayload([".github/backflow.yml"], { deleted: true })],
  ])("ignores %s", async (_name, payload) => {
    await receive(probot, "push", payload);

    expect(takeRecordedRequests()).toEqual([]);
    expect(await store.audit.list()).toEqual([]);
  });
});
