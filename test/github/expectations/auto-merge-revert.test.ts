import nock from "nock";
import { pino } from "pino";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import type { AppDeps } from "../../../src/github/app-deps.js";
import { autoMergeRevert } from "../../../src/github/expectations/auto-merge-revert.js";
import type { AutoMergeRevertPayload } from "../../../src/github/expectations/auto-merge-revert-job.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { githubApi } from "../../helpers/github-nock.js";
import { silentLog, TEST_APP_ID } from "../../helpers/probot.js";
import {
  droppedColumnPullRequest,
  mockPullRequestRepo,
  type PullRequestFiles,
} from "../../helpers/pull-request-repo.js";
import { testOctokit } from "../drift/drift-harness.js";
import { revertPull } from "./revert-pull.js";

const OWNER = "acme";
const REPO = "shop";
const API = `/repos/${OWNER}/${REPO}`;
const BASE = "ba5e000000000000000000000000000000000001";
const WRITTEN = "4e7e000000000000000000000000000000000002";
const NOW = new Date("2026-11-25T10:00:00Z");

const PAYLOAD: AutoMergeRevertPayload = {
  repo: `${OWNER}/${REPO}`,
  revertPr: 90,
  revertedPr: 3,
  writtenSha: WRITTEN,
  reason: "expectation completeness(fct_orders.customer_id) >= 0.999 within 1d was violated",
};

/** The revert of a change that dropped `stg_orders.amount`: it adds the column back (non-breaking). */
function restoringRevert(): PullRequestFiles {
  const dropped = droppedColumnPullRequest();
  return { base: dropped.head, head: dropped.base, changed: dropped.changed };
}

let store: SqliteStore;
let octokit: ProbotOctokit;
let deps: AppDeps;

type Posted = { path: string; body: Record<string, unknown> };

/** GitHub's side: the revert PR as `pulls.get` shows it, its files, the impact check run, merges and comments. */
function mockGitHub(input: {
  files?: PullRequestFiles;
  pr?: Record<string, unknown>;
  merge?: [number, Record<string, unknown>];
}) {
  const scope = githubApi({ persist: true });
  const posted: Posted[] = [];
  const record = (path: string) => (body: Record<string, unknown>) => {
    posted.push({ path, body });
    return true;
  };
  scope
    .get(`${API}/pulls/90`)
    .reply(200, revertPull({ number: 90, headSha: WRITTEN, baseSha: BASE, overrides: input.pr }));
  mockPullRequestRepo(scope, {
    owner: OWNER,
    repo: REPO,
    baseSha: BASE,
    headSha: WRITTEN,
    files: input.files ?? restoringRevert(),
  });
  scope
    .get(`${API}/commits/${WRITTEN}/check-runs`)
    .query(true)
    .reply(200, { total_count: 0, check_runs: [] });
  scope.post(`${API}/check-runs`, record("check-run")).reply(201, { id: 77 });
  scope.patch(`${API}/check-runs/77`, record("check-run")).reply(200, { id: 77 });
  scope.get(API).reply(200, { id: 1, name: REPO, allow_squash_merge: false, allow_merge_commit: true });
  scope
    .put(`${API}/pulls/90/merge`, record("merge"))
    .reply(...(input.merge ?? [200, { merged: true, sha: "f".repeat(40) }]));
  scope.post(`${API}/issues/3/comments`, record("comment on #3")).reply(201, { id: 1 });
  scope.post(`${API}/issues/90/comments`, record("comment on #90")).reply(201, { id: 2 });
  return { posted };
}

const run = (lastAttempt = false) =>
  autoMergeRevert({
    octokit,
    deps,
    log: silentLog(),
    owner: OWNER,
    repo: REPO,
    repoKey: repoKeyOf(OWNER, REPO),
    payload: PAYLOAD,
    lastAttempt,
  });

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  deps = { store, clock: () => NOW, appId: TEST_APP_ID };
  octokit = await testOctokit();
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

describe("rollback: auto merges a revert", () => {
  it("merges a clean revert whose impact check is green, pinned to the commit Backflow wrote, and says so once", async () => {
    const github = mockGitHub({});

    expect(await run()).toEqual({ action: "merged" });

    const checkRun = github.posted.filter((p) => p.path === "check-run").at(-1)?.body;
    expect(checkRun).toMatchObject({ status: "completed" });
    expect(["success", "neutral"]).toContain(checkRun?.conclusion);
    expect(github.posted.find((p) => p.path === "merge")?.body).toMatchObject({
      sha: WRITTEN,
      merge_method: "merge",
      commit_title: "Revert #3 (rollback: auto) (#90)",
    });
    const comments = github.posted.filter((p) => p.path.startsWith("comment"));
    expect(comments.map((c) => c.path)).toEqual(["comment on #3"]);
    expect(comments[0]?.body.body).toContain("Rolled back automatically: merged #90");

    const before = github.posted.length;
    expect(await run()).toEqual({ action: "merged" });
    expect(github.posted.length).toBe(before);
  });

  it("leaves a revert that is itself breaking for review, without trying to merge", async () => {
    const github = mockGitHub({ files: droppedColumnPullRequest() });

    const outcome = await run();

    expect(outcome).toMatchObject({ action: "leave" });
    expect("reason" in outcome && outcome.reason).toContain("`action_required`");
    expect(github.posted.some((p) => p.path === "merge")).toBe(false);
    const comments = github.posted.filter((p) => p.path.startsWith("comment"));
    expect(comments.map((c) => c.path)).toEqual(["comment on #90", "comment on #3"]);
    expect(comments[0]?.body.body).toContain("Backflow did not merge this revert");
  });

  it("retries while GitHub computes mergeability, and leaves the revert on the last attempt", async () => {
    const github = mockGitHub({ pr: { mergeable: null, mergeable_state: "unknown" } });

    await expect(run()).rejects.toThrow(/still computing whether it merges cleanly/);
    expect(github.posted.some((p) => p.path === "merge" || p.path.startsWith("comment"))).toBe(false);

    expect(await run(true)).toMatchObject({ action: "leave" });
    expect(github.posted.some((p) => p.path === "merge")).toBe(false);
    expect(github.posted.filter((p) => p.path.startsWith("comment"))).toHaveLength(2);
  });

  it("does not merge a branch someone pushed to, nor analyse it", async () => {
    const github = mockGitHub({ pr: { head: { sha: "9".repeat(40), ref: "backflow/revert/b2b2b2b2" } } });

    expect(await run()).toMatchObject({ action: "leave", reason: expect.stringContaining("did not write") });
    expect(github.posted.map((p) => p.path)).toEqual(["comment on #90", "comment on #3"]);
  });

  it("reports GitHub's refusal (branch protection) instead of failing the job", async () => {
    const github = mockGitHub({
      merge: [405, { message: "At least 1 approving review is required by reviewers with write access." }],
    });

    const outcome = await run();

    expect(outcome).toMatchObject({ action: "leave" });
    expect(github.posted.find((p) => p.path === "comment on #3")?.body.body).toContain(
      "At least 1 approving review is required",
    );
  });

  it("stays silent when people already merged or closed the revert", async () => {
    const github = mockGitHub({ pr: { state: "closed", merged: false } });

    expect(await run()).toMatchObject({ action: "done" });
    expect(github.posted).toEqual([]);
  });

  it("in a dry run runs the impact check, logs the check run and the merge it would send, and writes nothing", async () => {
    const github = mockGitHub({});
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const dry = () =>
      autoMergeRevert({
        octokit,
        deps: { ...deps, dryRun: true },
        log,
        owner: OWNER,
        repo: REPO,
        repoKey: repoKeyOf(OWNER, REPO),
        payload: PAYLOAD,
        lastAttempt: false,
      });

    const done = { action: "done", reason: "dry run: nothing was merged" };
    expect(await dry()).toEqual(done);
    expect(await dry()).toEqual(done);

    expect(github.posted).toEqual([]);
    const merges = lines.filter((l) => l.msg === "dry run: would merge PR #90");
    expect(merges).toHaveLength(2);
    expect(merges[0]?.payload).toEqual({
      owner: OWNER,
      repo: REPO,
      pull_number: 90,
      sha: WRITTEN,
      commit_title: "Revert #3 (rollback: auto) (#90)",
      commit_message: PAYLOAD.reason,
      merge_method: "merge",
    });
    expect(lines.some((l) => l.msg === "dry run: would create a check run")).toBe(true);
    expect(lines.filter((l) => String(l.msg).startsWith("dry run: would comment"))).toEqual([]);
    expect(await store.repoState.get({ repo: `${OWNER}/${REPO}`, key: "auto-merge:90" })).toBeNull();
  });

  it("in a dry run logs the comments of a revert it would leave for review, and records nothing as settled", async () => {
    const github = mockGitHub({ files: droppedColumnPullRequest() });
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });

    const outcome = await autoMergeRevert({
      octokit,
      deps: { ...deps, dryRun: true },
      log,
      owner: OWNER,
      repo: REPO,
      repoKey: repoKeyOf(OWNER, REPO),
      payload: PAYLOAD,
      lastAttempt: false,
    });

    expect(outcome).toMatchObject({ action: "leave" });
    expect(github.posted).toEqual([]);
    expect(lines.filter((l) => String(l.msg).startsWith("dry run: would comment")).map((l) => l.msg)).toEqual(
      ["dry run: would comment on #90", "dry run: would comment on #3"],
    );
    expect(await store.repoState.get({ repo: `${OWNER}/${REPO}`, key: "auto-merge:90" })).toBeNull();
  });
});
