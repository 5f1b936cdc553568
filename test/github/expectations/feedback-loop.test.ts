import { createHash } from "node:crypto";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unifiedDiff } from "../../../src/core/proposals/unified-diff.js";
import { autoMergeRevertHandler } from "../../../src/github/expectations/auto-merge-revert-handler.js";
import { createWorker } from "../../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { createBackflowProbot } from "../../helpers/backflow-app.js";
import { githubApi, mockInstallationToken, mockOrgConfigFile, NOT_FOUND } from "../../helpers/github-nock.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { silentLog, TEST_APP_ID } from "../../helpers/probot.js";
import { CONFIG, completeness, deliverAndTriage, resetNock, testOctokit } from "../drift/drift-harness.js";
import { exampleFiles, type FakeGitHub, fakeGitHub, HEAD_SHA, OWNER, REPO } from "../drift/fake-github.js";
import { revertPull } from "./revert-pull.js";

const T0 = new Date("2026-11-24T06:00:00Z");
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const API = `/repos/${OWNER}/${REPO}`;
const MERGE_MET = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const MERGE_BAD = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
const MODEL = "models/marts/fct_orders.sql";
const AUTHOR = "pr-author";

let store: SqliteStore;
let github: FakeGitHub;
let probot: Probot;
let now: Date;
const clock = () => now;
const repository = {
  name: REPO,
  full_name: `${OWNER}/${REPO}`,
  owner: { login: OWNER },
  default_branch: "main",
};

async function signal(id: string, at: Date, value: number) {
  now = new Date(at.getTime() + 60_000);
  return deliverAndTriage({
    store,
    octokit: await testOctokit(),
    clock,
    deliveryId: `d-${id}`,
    body: completeness({ id, at, value }),
  });
}

function merged(pr: number, sha: string, at: Date, expects: string) {
  now = new Date(at.getTime() + 1000);
  return loadPayload("pull_request", {
    action: "closed",
    overrides: {
      repository,
      pull_request: {
        number: pr,
        merged: true,
        merged_at: at.toISOString(),
        merge_commit_sha: sha,
        body: `\`\`\`expects\n- metric: ${expects}\n\`\`\``,
        base: { ref: "main" },
        user: { login: AUTHOR },
      },
    },
  });
}

/** The GitHub side of opening a revert of MERGE_BAD, which added one line to the model. */
function mockRevert(created: Array<Record<string, unknown>>, reviewers: unknown[] = []) {
  const current = exampleFiles(CONFIG).get(MODEL) ?? "";
  const lines = current.split("\n");
  const before = [...lines.slice(0, 3), ...lines.slice(4)].join("\n");
  const patch = unifiedDiff(before, current, MODEL).split("\n").slice(2).join("\n");
  const scope = githubApi();
  // No git/commits request for the base tree: the default branch's tree listing names its root tree.
  scope.get(`${API}/commits/${MERGE_BAD}`).reply(200, {
    sha: MERGE_BAD,
    commit: { message: "Filter test orders" },
    files: [{ filename: MODEL, status: "modified", patch }],
  });
  scope.get(`${API}/git/ref/heads%2Fbackflow%2Frevert%2Fb2b2b2b2`).reply(404, NOT_FOUND);
  scope.post(`${API}/git/trees`).reply(201, { sha: "8".repeat(40) });
  scope.post(`${API}/git/commits`).reply(201, { sha: "9".repeat(40) });
  scope
    .post(`${API}/git/refs`, (b) => b.ref === "refs/heads/backflow/revert/b2b2b2b2")
    .reply(201, { ref: "refs/heads/backflow/revert/b2b2b2b2" });
  scope.get(`${API}/pulls`).query(true).reply(200, []);
  scope
    .post(`${API}/pulls`, (b) => {
      created.push(b);
      return true;
    })
    .reply(201, { number: 90 });
  scope.post(`${API}/pulls/90/requested_reviewers`, (b) => reviewers.push(b) > 0).reply(201, { number: 90 });
  return { scope, removedLine: lines[3] ?? "" };
}

/** The fake repository with `config` as its `.github/backflow.yml`, and the app listening. */
async function start(config: string) {
  resetNock();
  github = fakeGitHub({ config, now: clock });
  probot = await createBackflowProbot({ store, clock, appId: TEST_APP_ID });
  mockInstallationToken();
  const scope = githubApi({ persist: true });
  scope.get(`${API}/contents/${encodeURIComponent(".github/backflow.yml")}`).reply(404, NOT_FOUND);
  mockOrgConfigFile(scope, { owner: OWNER, text: null });
  scope
    .get(new RegExp(`${API}/collaborators/.+/permission`))
    .reply(200, { permission: "write", role_name: "write" });
  scope.post(new RegExp(`${API}/issues/comments/\\d+/reactions`)).reply(201, { id: 1, content: "eyes" });
}

const REVERT_SHA = "9".repeat(40);

/** The revert pull request as GitHub shows it to the auto-merge job: clean, its head the commit Backflow wrote. */
function mockRevertPullRequest(sent: { merges: unknown[]; checks: unknown[] }) {
  const scope = githubApi({ persist: true });
  scope.get(`${API}/pulls/90`).reply(200, revertPull({ number: 90, headSha: REVERT_SHA, baseSha: HEAD_SHA }));
  // The revert's tree as the fake serves it: the default branch's files (the compare finds no change).
  scope
    .get(`${API}/git/trees/${REVERT_SHA}`)
    .query(true)
    .reply(200, {
      sha: REVERT_SHA,
      truncated: false,
      tree: [...exampleFiles(`${CONFIG}rollback: auto\n`)].map(([path, text]) => ({
        path,
        type: "blob",
        mode: "100644",
        sha: createHash("sha1").update(text).digest("hex"),
        size: text.length,
      })),
    });
  scope
    .get(`${API}/commits/${REVERT_SHA}/check-runs`)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] });
  const check = (body: unknown) => sent.checks.push(body) > 0;
  scope.post(`${API}/check-runs`, check).reply(201, { id: 5 });
  scope.patch(`${API}/check-runs/5`, check).reply(200, { id: 5 });
  scope.put(`${API}/pulls/90/merge`, (body) => sent.merges.push(body) > 0).reply(200, { merged: true });
}

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  now = T0;
  await start(CONFIG);
});

afterEach(async () => {
  resetNock();
  await store.close();
});

describe("the feedback loop, end to end", () => {
  it("signal → drift issue → /backflow propose → merged PRs with expects → one met, one violated with a revert PR", async () => {
    const opened = await signal("s1", T0, 0.9);
    const fingerprint = opened.results[0]?.fingerprint ?? "";
    expect(opened.results[0]?.action).toBe("created");
    const issue = github.issues.get(1);
    expect(issue?.body).toContain(`<!-- backflow:finding ${fingerprint} -->`);

    const comment = loadPayload("issue_comment", {
      action: "created",
      overrides: {
        repository,
        issue: { number: 1, title: issue?.title, body: issue?.body },
        comment: { id: 7001, body: "/backflow propose" },
      },
    });
    await receive(probot, "issue_comment", comment);
    const proposals = await store.jobs.list({ kind: "open-proposal" });
    expect(proposals.map((j) => j.payload)).toMatchObject([
      { fingerprint, kind: "cleansing", issueNumber: 1 },
    ]);
    expect(
      github.comments.find((c) => c.issue === 1 && c.body.includes("Preparing a **cleansing** proposal")),
    ).toBeDefined();

    await receive(
      probot,
      "pull_request",
      merged(2, MERGE_MET, hours(1), "completeness(fct_orders.customer_id) >= 0.99 within 1d"),
    );
    await receive(
      probot,
      "pull_request",
      merged(3, MERGE_BAD, hours(2), "completeness(fct_orders.customer_id) >= 0.999 within 1d"),
    );
    expect(
      github.comments.filter((c) => c.body.includes("Watching 1 expectation")).map((c) => c.issue),
    ).toEqual([2, 3]);

    await signal("s2", hours(5), 0.995);
    const met = github.comments.find((c) => c.issue === 2 && c.body.includes("Expectation met"));
    expect(met?.body).toContain(hours(5).toISOString());
    expect(github.comments.some((c) => c.issue === 3 && c.body.includes("Expectation"))).toBe(false);

    const created: Array<Record<string, unknown>> = [];
    const reviewers: unknown[] = [];
    const revert = mockRevert(created, reviewers);
    await signal("s3", hours(30), 0.995);
    expect(revert.scope.isDone()).toBe(true);
    // The merged pull request's author, stored when it merged, with the code owners of the reverted model.
    expect(reviewers).toEqual([{ reviewers: [AUTHOR], team_reviewers: ["analytics-eng"] }]);
    expect(created).toMatchObject([
      {
        head: "backflow/revert/b2b2b2b2",
        base: "main",
        draft: false,
        title: "Revert #3: Filter test orders",
      },
    ]);
    const violated = github.comments.find((c) => c.issue === 3 && c.body.includes("Expectation violated"));
    expect(violated?.body).toContain("Opened #90 to revert this pull request");
    expect(violated?.body).toContain("| **no** |");
    expect(
      (await store.expectations.list({ repo: `${OWNER}/${REPO}` })).map((e) => [e.pr, e.state, e.revertPr]),
    ).toEqual([
      [2, "met", null],
      [3, "violated", 90],
    ]);
  });
});

describe("rollback: auto, end to end", () => {
  it("a violated expectation opens a revert that the worker merges once its impact check is green", async () => {
    await start(`${CONFIG}rollback: auto\n`);
    await signal("s1", T0, 0.9);
    await receive(
      probot,
      "pull_request",
      merged(3, MERGE_BAD, hours(2), "completeness(fct_orders.customer_id) >= 0.999 within 1d"),
    );
    const created: Array<Record<string, unknown>> = [];
    const revert = mockRevert(created);
    await signal("s3", hours(30), 0.995);
    expect(revert.scope.isDone()).toBe(true);
    const violated = github.comments.find((c) => c.issue === 3 && c.body.includes("Expectation violated"));
    expect(violated?.body).toContain(
      "`rollback: auto` is set: Backflow merges it once its impact check is green",
    );
    const jobs = await store.jobs.list({ kind: "auto-merge-revert" });
    expect(jobs.map((j) => j.payload)).toMatchObject([
      { revertPr: 90, revertedPr: 3, writtenSha: REVERT_SHA },
    ]);

    const merges: Array<Record<string, unknown>> = [];
    const checks: Array<Record<string, unknown>> = [];
    mockRevertPullRequest({ merges, checks });
    now = new Date(hours(30).getTime() + 120_000);
    const worker = createWorker({
      store,
      workerId: "test",
      clock,
      handlers: Object.fromEntries([
        autoMergeRevertHandler({
          deps: { store, clock, appId: TEST_APP_ID },
          log: silentLog(),
          octokitFor: () => testOctokit(),
        }),
      ]),
    });
    await worker.drain();

    expect(checks.at(-1)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(merges).toMatchObject([{ sha: REVERT_SHA, merge_method: "squash" }]);
    const rolledBack = github.comments.find(
      (c) => c.issue === 3 && c.body.includes("Rolled back automatically"),
    );
    expect(rolledBack?.body).toContain("merged #90");
    expect((await store.jobs.list({ kind: "auto-merge-revert" }))[0]?.state).toBe("done");
  });
});
