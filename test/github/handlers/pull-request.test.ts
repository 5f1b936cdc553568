import type nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { IMPACT_CHECK_NAME } from "../../../src/github/services/plan-impact-check.js";
import { checkRunKey } from "../../../src/github/writers/upsert-check-run.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { githubApi, mockConfigFile } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { TEST_APP_ID } from "../../helpers/probot.js";
import { droppedColumnPullRequest, mockPullRequestRepo } from "../../helpers/pull-request-repo.js";

const NOW = new Date("2025-06-01T12:00:00Z");
const OWNER = "Codertocat";
const REPO = "Hello-World";
const RUN_ID = 42;
/** The pull request of the example payload: it drops a column that a downstream model reads. */
const PR = droppedColumnPullRequest();

type CheckRunBody = Record<string, unknown> & { output?: { title?: string; summary?: string } };

let store: Store;
let probot: Probot;

function prPayload(action = "opened", overrides: Record<string, unknown> = {}) {
  return loadPayload("pull_request", { action, overrides });
}

function headSha(payload: Record<string, unknown>): string {
  return (payload.pull_request as { head: { sha: string } }).head.sha;
}

function baseSha(payload: Record<string, unknown>): string {
  return (payload.pull_request as { base: { sha: string } }).base.sha;
}

/** GET check runs for the SHA: Backflow finds `runs` of its own (none by default). */
function mockNoExistingRun(scope: nock.Scope, sha: string, runs: unknown[] = []) {
  return scope
    .get(`/repos/${OWNER}/${REPO}/commits/${sha}/check-runs`)
    .query({ check_name: IMPACT_CHECK_NAME, filter: "latest", per_page: "100", app_id: String(TEST_APP_ID) })
    .reply(200, { total_count: runs.length, check_runs: runs });
}

/**
 * The impact check run's life on GitHub: one lookup (finding `existing`), at most one create, and
 * updates of run `id`. Returns the write bodies in order, so a test asserts what was sent.
 */
function mockImpactRun(
  scope: nock.Scope,
  sha: string,
  options: { id?: number; existing?: unknown[]; delayMs?: number } = {},
) {
  const id = options.id ?? RUN_ID;
  const writes: { method: "POST" | "PATCH"; body: CheckRunBody }[] = [];
  mockNoExistingRun(scope, sha, options.existing);
  if (!options.existing?.length) {
    scope
      .post(`/repos/${OWNER}/${REPO}/check-runs`, (body: CheckRunBody) => {
        writes.push({ method: "POST", body });
        return true;
      })
      .delay(options.delayMs ?? 0)
      .reply(201, { id });
  }
  scope
    .patch(`/repos/${OWNER}/${REPO}/check-runs/${id}`, (body: CheckRunBody) => {
      writes.push({ method: "PATCH", body });
      return true;
    })
    .reply(200, { id });
  return writes;
}

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

describe("pull_request handler", () => {
  it("creates one impact check run for the head SHA, in progress and then completed with the analysis", async () => {
    const payload = prPayload();
    const sha = headSha(payload);
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: baseSha(payload),
      headSha: sha,
      files: PR,
    });
    const writes = mockImpactRun(scope, sha);

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
    expect(writes.map((w) => w.method)).toEqual(["POST", "PATCH"]);
    expect(writes[0]?.body).toMatchObject({ name: IMPACT_CHECK_NAME, head_sha: sha, status: "in_progress" });
    const done = writes[1]?.body;
    expect(done).toMatchObject({ status: "completed", conclusion: "action_required" });
    expect(done?.output?.title).toMatch(/^Breaking: 1 downstream model/);
    expect(done?.output?.summary).toContain("`customer_revenue.revenue`");
    const stored = await store.repoState.get<{ id: number }>({
      repo: repoKeyOf(OWNER, REPO),
      key: checkRunKey(IMPACT_CHECK_NAME, sha),
    });
    expect(stored?.id).toBe(RUN_ID);
  });

  it("creates the check run once when the same delivery is received twice", async () => {
    const payload = prPayload();
    const sha = headSha(payload);
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: baseSha(payload),
      headSha: sha,
      files: PR,
    });
    const writes = mockImpactRun(scope, sha);

    await receive(probot, "pull_request", payload, "delivery-1");
    await receive(probot, "pull_request", payload, "delivery-1");

    expect(writes.map((w) => w.method)).toEqual(["POST", "PATCH"]);
    const lookups = takeRecordedRequests().filter((r) => r.path.includes("/check-runs?"));
    expect(lookups).toHaveLength(1);
  });

  it("creates the check run once when two deliveries race", async () => {
    const opened = prPayload("opened");
    const sha = headSha(opened);
    const reopened = prPayload("reopened", {
      pull_request: { head: { sha }, base: { sha: baseSha(opened) } },
    });
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: baseSha(opened),
      headSha: sha,
      files: PR,
    });
    const writes = mockImpactRun(scope, sha, { delayMs: 50 });

    await Promise.all([receive(probot, "pull_request", opened), receive(probot, "pull_request", reopened)]);

    expect(writes.map((w) => w.method)).toEqual(["POST", "PATCH"]);
    const lookups = takeRecordedRequests().filter((r) => r.path.includes("/check-runs?"));
    expect(lookups).toHaveLength(1);
  });

  it("adopts an existing run found on GitHub instead of duplicating it when the store was lost", async () => {
    const payload = prPayload();
    const sha = headSha(payload);
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: baseSha(payload),
      headSha: sha,
      files: PR,
    });
    const writes = mockImpactRun(scope, sha, {
      id: 99,
      existing: [
        {
          id: 99,
          name: IMPACT_CHECK_NAME,
          head_sha: sha,
          status: "completed",
          conclusion: "neutral",
          output: { title: "an older text", summary: "old", text: null },
        },
      ],
    });

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
    expect(writes.map((w) => w.method)).toEqual(["PATCH"]);
    expect(writes[0]?.body).toMatchObject({ status: "completed", conclusion: "action_required" });
    expect(writes[0]?.body).not.toHaveProperty("head_sha");
    const stored = await store.repoState.get<{ id: number }>({
      repo: repoKeyOf(OWNER, REPO),
      key: checkRunKey(IMPACT_CHECK_NAME, sha),
    });
    expect(stored?.id).toBe(99);
  });

  it("checks pull requests a bot opened too (Renovate, Backflow's own reverts): reviewers need the impact", async () => {
    const payload = prPayload("opened", { sender: { login: "renovate[bot]", type: "Bot" } });
    const sha = headSha(payload);
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: baseSha(payload),
      headSha: sha,
      files: PR,
    });
    const writes = mockImpactRun(scope, sha);

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
    expect(writes.map((w) => [w.method, w.body.status])).toEqual([
      ["POST", "in_progress"],
      ["PATCH", "completed"],
    ]);
  });

  it.each([
    ["a title edit", { title: { from: "Old title" } }, {}],
    ["a body edit of a draft", { body: { from: "old" } }, { draft: true }],
    ["a body edit of a closed pull request", { body: { from: "old" } }, { state: "closed" }],
  ])("sends no request at all for %s", async (_case, changes, pullRequest) => {
    const payload = prPayload("opened", { action: "edited", changes, pull_request: pullRequest });

    await receive(probot, "pull_request", payload);

    expect(takeRecordedRequests()).toEqual([]);
  });

  it("analyses the pull request again when an edit moves it to another base branch", async () => {
    const payload = prPayload("opened", {
      action: "edited",
      changes: { base: { ref: { from: "main" }, sha: { from: "0".repeat(40) } } },
    });
    const sha = headSha(payload);
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: baseSha(payload),
      headSha: sha,
      files: PR,
    });
    const writes = mockImpactRun(scope, sha);

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
    expect(writes.map((w) => [w.method, w.body.conclusion])).toEqual([
      ["POST", undefined],
      ["PATCH", "action_required"],
    ]);
  });

  it("ignores draft pull requests", async () => {
    const payload = prPayload("opened", { pull_request: { draft: true } });

    await receive(probot, "pull_request", payload);

    expect(takeRecordedRequests()).toEqual([]);
  });

  it("fails the check with every problem when the pull request changes an invalid config", async () => {
    const payload = prPayload();
    const sha = headSha(payload);
    const baseSha = (payload.pull_request as { base: { sha: string } }).base.sha;
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, ref: sha, text: "dialect: oracle\ncolour: red\n" });
    scope
      .get(`/repos/${OWNER}/${REPO}/compare/${baseSha}...${sha}`)
      .query({ per_page: "1", page: "1" })
      .reply(200, {
        merge_base_commit: { sha: baseSha },
        files: [{ filename: ".github/backflow.yml", status: "modified", sha: "abc" }],
      });
    mockNoExistingRun(scope, sha);
    let summary = "";
    scope
      .post(`/repos/${OWNER}/${REPO}/check-runs`, (body) => {
        summary = body.output.summary;
        return body.conclusion === "failure";
      })
      .reply(201, { id: 5 });

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
    expect(summary).toContain("`dialect`: must be one of");
    expect(summary).toContain('`(root)`: unknown key\\(s\\) "colour"');
  });

  it("stays neutral when the config is invalid but the pull request does not touch it", async () => {
    const payload = prPayload();
    const sha = headSha(payload);
    const baseSha = (payload.pull_request as { base: { sha: string } }).base.sha;
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, ref: sha, text: "version: 2\n" });
    scope
      .get(`/repos/${OWNER}/${REPO}/compare/${baseSha}...${sha}`)
      .query(true)
      .reply(200, {
        merge_base_commit: { sha: baseSha },
        files: [{ filename: "models/a.sql", status: "added", sha: "1" }],
      });
    mockNoExistingRun(scope, sha);
    scope
      .post(
        `/repos/${OWNER}/${REPO}/check-runs`,
        (body) => body.conclusion === "neutral" && body.output.summary.includes("`version`"),
      )
      .reply(201, { id: 6 });

    await receive(probot, "pull_request", payload);

    expect(scope.isDone()).toBe(true);
  });
});
