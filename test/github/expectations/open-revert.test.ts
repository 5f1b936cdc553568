import nock from "nock";
import { pino } from "pino";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { unifiedDiff } from "../../../src/core/proposals/unified-diff.js";
import { openRevert } from "../../../src/github/expectations/open-revert.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { githubApi } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { TEST_APP_ID } from "../../helpers/probot.js";
import { testOctokit } from "../drift/drift-harness.js";
import { HEAD_SHA, mockDefaultBranch, TREE_SHA } from "./default-branch.js";

const OWNER = "acme";
const REPO = "shop";
const MERGE_SHA = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
const NOW = new Date("2026-11-25T10:00:00Z");
const BEFORE = "select o.id as order_id, o.customer_id, o.amount\nfrom raw.orders o\n";
const AFTER = `${BEFORE}where o.is_test = false\n`;
const FILES = { "models/orders.sql": AFTER, ".github/CODEOWNERS": "models/ @acme/data @dana\n" };

let store: SqliteStore;
let octokit: ProbotOctokit;
let logLines: Array<Record<string, unknown>>;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  octokit = await testOctokit();
  logLines = [];
  const scope = githubApi();
  mockDefaultBranch(scope, { owner: OWNER, repo: REPO, files: FILES });
  scope
    .get(`/repos/${OWNER}/${REPO}/git/commits/${HEAD_SHA}`)
    .reply(200, { sha: HEAD_SHA, tree: { sha: TREE_SHA } });
  scope.get(`/repos/${OWNER}/${REPO}/commits/${MERGE_SHA}`).reply(200, {
    sha: MERGE_SHA,
    commit: { message: "Drop test orders" },
    files: [
      {
        filename: "models/orders.sql",
        status: "modified",
        patch: unifiedDiff(BEFORE, AFTER, "models/orders.sql").split("\n").slice(2).join("\n"),
      },
    ],
  });
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

describe("openRevert in a dry run", () => {
  it("logs the branch and pull request it would write, names the author and code owners, and writes nothing", async () => {
    const branch = "backflow/revert/b2b2b2b2";
    const scope = githubApi();
    scope
      .get(`/repos/${OWNER}/${REPO}/git/ref/${encodeURIComponent(`heads/${branch}`)}`)
      .reply(404, { message: "Not Found" });
    scope
      .get(`/repos/${OWNER}/${REPO}/pulls`)
      .query({ head: `${OWNER}:${branch}`, state: "open", per_page: "1" })
      .reply(200, []);
    const log = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
    const outcome = await openRevert({
      octokit,
      deps: { store, clock: () => NOW, appId: TEST_APP_ID, dryRun: true },
      log,
      owner: OWNER,
      repo: REPO,
      repoKey: repoKeyOf(OWNER, REPO),
      pr: 3,
      mergeSha: MERGE_SHA,
      author: "octocat",
      autoMerge: true,
      reason: "expectation was violated",
    });

    expect(outcome).toEqual({
      problem: `dry run: Backflow would open a pull request reverting #3 from \`${branch}\``,
    });
    const writes = takeRecordedRequests().filter(
      (r) => r.method !== "GET" && !r.path.includes("/access_tokens"),
    );
    expect(writes).toEqual([]);
    expect(scope.isDone()).toBe(true);
    expect(await store.jobs.list({ kind: "auto-merge-revert" })).toEqual([]);
    const payloadOf = (msg: string) =>
      logLines.find((l) => l.msg === msg)?.payload as Record<string, unknown>;
    expect(payloadOf(`dry run: would write a tree for ${branch}`)).toMatchObject({
      base_tree: TREE_SHA,
      tree: [expect.objectContaining({ path: "models/orders.sql", content: BEFORE })],
    });
    expect(payloadOf("dry run: would open a pull request")).toEqual({
      owner: OWNER,
      repo: REPO,
      head: branch,
      base: "master",
      title: "Revert #3: Drop test orders",
      body: expect.stringContaining("Reverts #3 (merge commit b2b2b2b2)."),
      draft: false,
    });
    expect(logLines.find((l) => l.msg === "revert pull request")).toMatchObject({
      reviewers: ["octocat", "dana"],
      team_reviewers: ["data"],
    });
  });
});
