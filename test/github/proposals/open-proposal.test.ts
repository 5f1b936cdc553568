import nock from "nock";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { openProposal } from "../../../src/github/proposals/open-proposal.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { finding } from "../../core/proposals/fixtures.js";
import { githubApi, githubBase64, mockInstallationToken } from "../../helpers/github-nock.js";
import { checkRequest, takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { createTestProbot, silentLog } from "../../helpers/probot.js";

const NOW = new Date("2026-01-06T00:00:00Z");
const OWNER = "acme";
const REPO = "shop";
const API = `/repos/${OWNER}/${REPO}`;
const BASE = "a".repeat(40);
const BASE_TREE = "b".repeat(40);
const NEW_TREE = "c".repeat(40);
const NEW_COMMIT = "d".repeat(40);
const BOT = "backflow[bot]";
const FP = "0123456789abcdef0123456789abcdef";
const BRANCH = "backflow/fix/01234567";

const FILES: Record<string, string> = {
  ".github/backflow.yml": "dialect: snowflake\nmodels:\n  paths: ['models/**/*.sql']\n",
  "models/orders.sql": "select\n    o.order_id,\n    o.customer_id,\n    o.updated_at\nfrom raw.orders o\n",
};
const BLOBS = Object.keys(FILES).map((path, i) => ({ path, sha: String(i + 1).repeat(40) }));

let store: Store;
let octokit: ProbotOctokit;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  mockInstallationToken();
  octokit = await (await createTestProbot()).auth(1);
  await store.findings.put({
    repo: `${OWNER}/${REPO}`,
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
    finding: finding({
      tableId: "orders",
      column: "order_id",
      metric: "duplicateValues",
      kind: "consistency",
      fingerprint: FP,
    }),
    updatedAt: NOW,
  });
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

function run(botLogin: string | undefined = BOT) {
  return openProposal({
    octokit,
    deps: { store, clock: () => NOW },
    log: silentLog(),
    owner: OWNER,
    repo: REPO,
    repoKey: repoKeyOf(OWNER, REPO),
    fingerprint: FP,
    kind: "cleansing",
    botLogin,
  });
}

/** The default branch, and (when not cached yet: `cold`) its tree and blobs; trees are cached by commit. */
function mockDefaultBranch(scope: nock.Scope, cold: boolean) {
  scope.get(API).reply(200, { default_branch: "main" });
  scope
    .get(`${API}/git/ref/${encodeURIComponent("heads/main")}`)
    .reply(200, { ref: "refs/heads/main", object: { sha: BASE, type: "commit" } });
  if (!cold) return;
  // No git/commits request: the recursive tree listing already names the root tree (BASE_TREE).
  scope
    .get(`${API}/git/trees/${BASE}`)
    .query({ recursive: "1" })
    .reply(200, {
      sha: BASE_TREE,
      truncated: false,
      tree: BLOBS.map((b) => ({ ...b, type: "blob", mode: "100644" })),
    });
  for (const b of BLOBS)
    scope
      .get(`${API}/git/blobs/${b.sha}`)
      .reply(200, { sha: b.sha, encoding: "base64", content: githubBase64(FILES[b.path] ?? "") });
}

const branchRef = `${API}/git/ref/${encodeURIComponent(`heads/${BRANCH}`)}`;

describe("openProposal", () => {
  it("commits to the proposal branch and opens one labelled draft PR linked from the drift issue", async () => {
    const scope = githubApi();
    mockDefaultBranch(scope, true);
    let pr: { title?: string; body?: string } = {};
    scope
      .get(branchRef)
      .reply(404, { message: "Not Found" })
      .post(
        `${API}/git/trees`,
        (body) =>
          body.base_tree === BASE_TREE &&
          body.tree[0].path === "models/orders.sql" &&
          body.tree[0].content.includes(
            "qualify row_number() over (partition by order_id order by updated_at desc) = 1",
          ),
      )
      .reply(201, { sha: NEW_TREE, tree: [] })
      .post(
        `${API}/git/commits`,
        (body) =>
          body.tree === NEW_TREE &&
          body.parents[0] === BASE &&
          body.message.includes(`Backflow-Proposal: ${FP} cleansing`),
      )
      .reply(201, { sha: NEW_COMMIT })
      .post(`${API}/git/refs`, { ref: `refs/heads/${BRANCH}`, sha: NEW_COMMIT })
      .reply(201, { ref: `refs/heads/${BRANCH}`, object: { sha: NEW_COMMIT } })
      .get(`${API}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: "1" })
      .reply(200, [])
      .post(`${API}/pulls`, (body) => {
        pr = body;
        return (
          body.draft === true &&
          body.head === BRANCH &&
          body.base === "main" &&
          body.body.includes("drift issue #42")
        );
      })
      .reply(201, { number: 7 })
      .post(`${API}/issues/7/labels`, { labels: ["backflow:proposal"] })
      .reply(200, [])
      .post(`${API}/issues/42/comments`, (body) => body.body.includes("draft PR #7"))
      .reply(201, { id: 1 });

    expect(await run()).toEqual({ action: "created", branch: BRANCH, pr: 7 });
    expect(scope.isDone()).toBe(true);
    expect(pr.body).toContain(`<!-- backflow:proposal ${FP} cleansing -->`);
    expect(
      await store.repoState.get({ repo: repoKeyOf(OWNER, REPO), key: `proposal:${FP}:cleansing` }),
    ).toEqual({
      kind: "cleansing",
      branch: BRANCH,
      pr: 7,
      issueNumber: 42,
    });

    // Second run, same finding and files: no commit, no new PR, no comment.
    nock.cleanAll();
    mockInstallationToken();
    const again = githubApi();
    mockDefaultBranch(again, false);
    again
      .get(branchRef)
      .reply(200, { ref: `refs/heads/${BRANCH}`, object: { sha: NEW_COMMIT, type: "commit" } })
      .get(`${API}/compare/${BASE}...${NEW_COMMIT}`)
      .reply(200, {
        commits: [
          {
            sha: NEW_COMMIT,
            commit: { message: `x\n\nBackflow-Proposal: ${FP} cleansing` },
            committer: { login: BOT },
            author: { login: BOT },
          },
        ],
      })
      .get(`${API}/git/commits/${NEW_COMMIT}`)
      .reply(200, { sha: NEW_COMMIT, tree: { sha: NEW_TREE } })
      .post(`${API}/git/trees`)
      .reply(201, { sha: NEW_TREE, tree: [] })
      .get(`${API}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: "1" })
      .reply(200, [{ number: 7, title: pr.title, body: pr.body }]);

    expect(await run()).toEqual({ action: "unchanged", branch: BRANCH, pr: 7 });
    expect(again.isDone()).toBe(true);
    const requests = takeRecordedRequests();
    expect(requests.flatMap(checkRequest)).toEqual([]);
    const writes = requests.filter((r) => r.method !== "GET").map((r) => r.path);
    expect(writes.filter((p) => /\/git\/commits|\/git\/refs|\/pulls$|\/comments/.test(p))).toEqual([
      `${API}/git/commits`,
      `${API}/git/refs`,
      `${API}/pulls`,
      `${API}/issues/42/comments`,
    ]);
  });

  it("never overwrites a branch a person pushed to, and comments on the PR instead", async () => {
    const scope = githubApi();
    mockDefaultBranch(scope, true);
    scope
      .get(branchRef)
      .reply(200, { ref: `refs/heads/${BRANCH}`, object: { sha: NEW_COMMIT, type: "commit" } })
      .get(`${API}/compare/${BASE}...${NEW_COMMIT}`)
      .reply(200, {
        commits: [
          {
            sha: NEW_COMMIT,
            commit: { message: "tweak the filter by hand" },
            committer: { login: "alice" },
            author: { login: "alice" },
          },
        ],
      })
      .get(`${API}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: "1" })
      .reply(200, [{ number: 7, title: "t", body: "b" }])
      .post(
        `${API}/issues/7/comments`,
        (body) => body.body.includes("Someone pushed") && body.body.includes("```diff"),
      )
      .reply(201, { id: 2 });

    expect(await run()).toEqual({ action: "human-owned", branch: BRANCH, pr: 7 });
    expect(scope.isDone()).toBe(true);
    const requests = takeRecordedRequests();
    expect(requests.flatMap(checkRequest)).toEqual([]);
    expect(requests.some((r) => r.method !== "GET" && /\/git\//.test(r.path))).toBe(false);
  });

  it.each([
    ["the app's login is known", BOT],
    ["the app's login is not known", undefined],
  ])(
    "treats an amended commit (a person as committer) as not Backflow's when %s",
    async (_case, botLogin) => {
      const scope = githubApi();
      mockDefaultBranch(scope, true);
      scope
        .get(branchRef)
        .reply(200, { ref: `refs/heads/${BRANCH}`, object: { sha: NEW_COMMIT, type: "commit" } })
        .get(`${API}/compare/${BASE}...${NEW_COMMIT}`)
        .reply(200, {
          commits: [
            {
              sha: NEW_COMMIT,
              commit: { message: `x\n\nBackflow-Proposal: ${FP} cleansing` },
              committer: { login: "bob", type: "User" },
              author: { login: BOT },
            },
          ],
        })
        .get(`${API}/pulls`)
        .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: "1" })
        .reply(200, [])
        .post(`${API}/issues/42/comments`)
        .reply(201, { id: 3 });

      expect((await run(botLogin)).action).toBe("human-owned");
      expect(scope.isDone()).toBe(true);
    },
  );

  it("reverts a commit's hunks in the suspect file on backflow/revert/<sha8>", async () => {
    const sha = "e".repeat(40);
    // The commit renamed `o.id as order_id` to `o.order_id`; the file still has the commit's version.
    const current = FILES["models/orders.sql"] ?? "";
    const commitPatch =
      "@@ -1,5 +1,5 @@\n select\n-    o.id as order_id,\n+    o.order_id,\n     o.customer_id,\n     o.updated_at\n from raw.orders o";
    const scope = githubApi();
    mockDefaultBranch(scope, true);
    const revertBranch = `backflow/revert/${sha.slice(0, 8)}`;
    scope
      .get(`${API}/commits/${sha}`)
      .reply(200, {
        sha,
        commit: { message: "rename order id\n\nbody" },
        files: [{ filename: "models/orders.sql", status: "modified", patch: commitPatch }],
      })
      .get(`${API}/git/ref/${encodeURIComponent(`heads/${revertBranch}`)}`)
      .reply(404, { message: "Not Found" })
      .post(
        `${API}/git/trees`,
        (body) => body.tree[0].content === current.replace("    o.order_id,", "    o.id as order_id,"),
      )
      .reply(201, { sha: NEW_TREE })
      .post(`${API}/git/commits`, (body) =>
        body.message.startsWith(`Revert ${sha.slice(0, 8)} (rename order id)`),
      )
      .reply(201, { sha: NEW_COMMIT })
      .post(`${API}/git/refs`, { ref: `refs/heads/${revertBranch}`, sha: NEW_COMMIT })
      .reply(201, {})
      .get(`${API}/pulls`)
      .query({ head: `${OWNER}:${revertBranch}`, state: "open", per_page: "1" })
      .reply(200, [])
      .post(
        `${API}/pulls`,
        (body) => body.draft === true && body.body.includes(`<!-- backflow:proposal ${FP} revert -->`),
      )
      .reply(201, { number: 9 })
      .post(`${API}/issues/9/labels`)
      .reply(200, [])
      .post(`${API}/issues/42/comments`)
      .reply(201, { id: 4 });

    const result = await openProposal({
      octokit,
      deps: { store, clock: () => NOW },
      log: silentLog(),
      owner: OWNER,
      repo: REPO,
      repoKey: repoKeyOf(OWNER, REPO),
      fingerprint: FP,
      kind: "revert",
      commitSha: sha,
      botLogin: BOT,
    });
    expect(result).toEqual({ action: "created", branch: revertBranch, pr: 9 });
    expect(scope.isDone()).toBe(true);
  });
});
