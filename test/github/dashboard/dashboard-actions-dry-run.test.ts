import nock from "nock";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { DASHBOARD_MARKER } from "../../../src/core/render/render-dashboard.js";
import { runDashboardActionsJob } from "../../../src/github/dashboard/dashboard-actions-job.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { githubApi } from "../../helpers/github-nock.js";
import { checkRequest, takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { testOctokit } from "../drift/drift-harness.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const [OWNER, REPO] = ["acme", "shop"];
const API = `/repos/${OWNER}/${REPO}`;
const TICKED = `${DASHBOARD_MARKER}\n### Actions\n- [x] <!-- backflow:action refresh --> Refresh this dashboard now\n`;

let store: SqliteStore;
beforeEach(() => {
  store = openSqliteStore(":memory:");
});
afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

describe("dashboard actions in a dry run", () => {
  it("logs the edit that would clear the ticked box instead of sending it, and runs the action", async () => {
    const lines: Array<{ msg: string; payload?: Record<string, unknown> }> = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const scope = githubApi();
    scope.get(`${API}/issues/42`).reply(200, { number: 42, body: TICKED });
    const octokit = await testOctokit();
    takeRecordedRequests();

    await runDashboardActionsJob(
      {
        octokit,
        deps: { store, clock: () => NOW, dryRun: true },
        log,
        owner: OWNER,
        repo: REPO,
        repoKey: repoKeyOf(OWNER, REPO),
      },
      { repo: `${OWNER}/${REPO}`, installationId: 1, issueNumber: 42, actor: "dana" },
    );

    const requests = takeRecordedRequests();
    expect(requests.flatMap(checkRequest)).toEqual([]);
    // The installation token request is authentication; the only repository request is the read.
    const repoRequests = requests.filter((r) => r.path.startsWith("/repos/"));
    expect(repoRequests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/issues/42`]);
    expect(scope.isDone()).toBe(true);
    const edit = lines.find((l) => l.msg === "dry run: would edit the body of issue #42");
    expect(edit?.payload).toEqual({
      owner: OWNER,
      repo: REPO,
      issue_number: 42,
      body: TICKED.replace("- [x]", "- [ ]"),
    });
    // The refresh box's action is a queued refresh (no GitHub write of its own).
    expect((await store.jobs.list({ kind: "refresh-dashboard" })).map((j) => j.payload)).toEqual([
      { repo: "acme/shop" },
    ]);
  });
});
