import type { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { triageDelivery } from "../../../src/github/drift/triage-delivery.js";
import { openProposal } from "../../../src/github/proposals/open-proposal.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { capturingLog, writesSent } from "../../helpers/dry-run-capture.js";
import { githubApi } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { droppedColumnPullRequest, mockPullRequestRepo } from "../../helpers/pull-request-repo.js";
import { CONFIG, completeness, deliver, FULL_NAME, resetNock, testOctokit } from "../drift/drift-harness.js";
import { fakeGitHub } from "../drift/fake-github.js";

const T0 = new Date("2026-11-24T06:00:00Z");

let store: SqliteStore | undefined;
let probot: Probot | undefined;
afterEach(async () => {
  resetNock();
  if (probot && store) await stopBackflowApp(store);
  else await store?.close();
  store = undefined;
  probot = undefined;
});

describe("BACKFLOW_DRY_RUN=true through whole flows", () => {
  it("the impact check job reads the pull request and sends no check run (nothing but GETs)", async () => {
    ({ store, probot } = await startBackflowApp(() => T0, { dryRun: true }));
    takeRecordedRequests();
    const scope = githubApi();
    const opened = loadPayload("pull_request", { action: "opened" });
    const pr = opened.pull_request as { head: { sha: string }; base: { sha: string } };
    const [owner, repo] = ["Codertocat", "Hello-World"];
    mockPullRequestRepo(scope, {
      owner,
      repo,
      baseSha: pr.base.sha,
      headSha: pr.head.sha,
      files: droppedColumnPullRequest(),
    });
    scope
      .get(`/repos/${owner}/${repo}/commits/${pr.head.sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });

    await receive(probot, "pull_request", opened);

    expect(writesSent()).toEqual([]);
    expect((await store.jobs.list({ kind: "impact-check" })).map((j) => j.state)).toEqual(["done"]);
    expect(
      await store.repoState.get({
        repo: repoKeyOf(owner, repo),
        key: `check:Backflow: contract impact:${pr.head.sha}`,
      }),
    ).toBeNull();
  });

  it("a drift issue is neither opened, commented, nor closed, and a proposal writes no branch or PR", async () => {
    store = openSqliteStore(":memory:");
    let now = new Date(T0.getTime() + 60_000);
    const github = fakeGitHub({ config: CONFIG, assignable: ["carol"], now: () => now });
    const { lines, log } = capturingLog();
    const triage = async (id: string, value: number, dryRun: boolean) => {
      await deliver(store as SqliteStore, `d-${id}`, completeness({ id, at: now, value }), now);
      return triageDelivery({
        octokit: await testOctokit(),
        deps: { store: store as SqliteStore, clock: () => now, dryRun },
        log,
        source: "monitor",
        deliveryId: `d-${id}`,
        repo: FULL_NAME,
      });
    };

    // A breach in dry run: the issue it would open is logged, nothing is created.
    const first = await triage("s1", 0.93, true);
    expect(first.results.map((r) => r.action)).toEqual(["dry-run"]);
    expect(writesSent()).toEqual([]);
    expect(github.issues.size).toBe(0);
    const wouldCreate = lines.find((l) => l.msg === "dry run: would create an issue");
    expect(wouldCreate?.payload).toMatchObject({ owner: "acme", repo: "shop", labels: ["backflow:drift"] });

    // A live breach opens the issue; then, in dry run, a worse breach and a recovery change nothing.
    now = new Date(now.getTime() + 3_600_000);
    expect((await triage("s2", 0.9, false)).results.map((r) => r.action)).toEqual(["created"]);
    takeRecordedRequests();
    const before = JSON.stringify([...github.issues.values()]);
    const comments = github.comments.length;
    for (const [id, value] of [
      ["s3", 0.5],
      ["s4", 1],
      ["s5", 1],
      ["s6", 1],
    ] as const) {
      now = new Date(now.getTime() + 3_600_000);
      await triage(id, value, true);
    }
    expect(writesSent()).toEqual([]);
    // What the writers would have done is logged: update on the worse breach, comment and close on recovery.
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        "dry run: would update issue #1",
        "dry run: would comment on #1",
        "dry run: would close issue #1",
      ]),
    );
    expect(JSON.stringify([...github.issues.values()])).toBe(before);
    expect(github.comments.length).toBe(comments);

    // The proposal for that finding, in dry run: the default branch is read, nothing is written.
    const [record] = await store.findings.list({ repo: "acme/shop" });
    expect(record?.issueNumber).toBe(1);
    const proposal = await openProposal({
      octokit: await testOctokit(),
      deps: { store, clock: () => now, dryRun: true },
      log,
      owner: "acme",
      repo: "shop",
      repoKey: repoKeyOf("acme/shop"),
      fingerprint: record?.fingerprint ?? "",
      kind: "cleansing",
      issueNumber: 1,
    });
    expect(["dry-run", "refused"]).toContain(proposal.action);
    expect(writesSent()).toEqual([]);
    expect(github.comments.length).toBe(comments);
  });
});
