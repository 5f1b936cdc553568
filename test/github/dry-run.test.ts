import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { startBackflowApp, stopBackflowApp } from "../helpers/backflow-app.js";
import { githubApi, mockConfigFile } from "../helpers/github-nock.js";
import { takeRecordedRequests } from "../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../helpers/payloads.js";
import { droppedColumnPullRequest, mockPullRequestRepo } from "../helpers/pull-request-repo.js";
import { commentPayload, driftIssueBody, findingRecord } from "./commands/fixtures.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const OWNER = "Codertocat";
const REPO = "Hello-World";
const API = `/repos/${OWNER}/${REPO}`;

let store: SqliteStore;
let probot: Probot;

beforeEach(async () => {
  ({ store, probot } = await startBackflowApp(() => NOW, { dryRun: true }));
  takeRecordedRequests();
});
afterEach(() => stopBackflowApp(store));

/** Every request that reached GitHub's repository API, checked against the OpenAPI description. */
const repoRequests = () => takeRecordedRequests().filter((r) => r.path.startsWith("/repos/"));

describe("BACKFLOW_DRY_RUN=true", () => {
  it("sends no request other than GET on the impact check, config validation and comment command paths, and every job completes", async () => {
    const scope = githubApi();
    // The impact check of a breaking pull request: reads only, no check run created or completed.
    const opened = loadPayload("pull_request", { action: "opened" });
    const pr = opened.pull_request as { head: { sha: string }; base: { sha: string } };
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: pr.base.sha,
      headSha: pr.head.sha,
      files: droppedColumnPullRequest(),
    });
    scope
      .get(`${API}/commits/${pr.head.sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    await receive(probot, "pull_request", opened);

    // An invalid config pushed to the default branch: no tracking issue is opened.
    const match = (e: Record<string, unknown>) =>
      e.deleted === false && Array.isArray(e.commits) && e.commits.length > 0;
    const push = loadPayload("push", { match });
    const [commit] = push.commits as Array<Record<string, unknown>>;
    const pushed = loadPayload("push", {
      match,
      overrides: {
        ref: `refs/heads/${(push.repository as { default_branch: string }).default_branch}`,
        commits: [{ ...commit, added: [], removed: [], modified: [".github/backflow.yml"] }],
      },
    });
    mockConfigFile(scope, {
      owner: OWNER,
      repo: REPO,
      ref: pushed.after as string,
      text: "dialect: oracle\n",
    });
    scope.get(`${API}/issues`).query(true).optionally().reply(200, []);
    await receive(probot, "push", pushed);

    // `/backflow resolve` on a drift issue: no reaction, no reply, no close.
    await store.findings.put(findingRecord());
    const c = commentPayload("/backflow resolve fixed upstream", {
      issue: { number: 1, body: driftIssueBody() },
    });
    mockConfigFile(scope, { owner: OWNER, repo: REPO, text: null });
    scope
      .get(`${API}/collaborators/${c.login}/permission`)
      .reply(200, { permission: "write", role_name: "write" });
    await receive(probot, "issue_comment", c.payload);

    const requests = repoRequests();
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    const jobs = await store.jobs.list();
    expect(jobs.map((j) => [j.kind, j.state])).toEqual(
      expect.arrayContaining([
        ["impact-check", "done"],
        ["validate-config", "done"],
        ["comment-commands", "done"],
      ]),
    );
  });
});
