import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBackflowOctokit } from "../../src/github/backflow-octokit.js";
import { installationOctokits } from "../../src/github/jobs/installation-octokit.js";
import { IMPACT_CHECK_NAME } from "../../src/github/services/plan-impact-check.js";
import { JOB_REGISTRY, workerJobsOf } from "../../src/jobs/job-registry.js";
import { createWorker } from "../../src/jobs/worker.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { GITHUB_API, githubApi, mockInstallationToken } from "../helpers/github-nock.js";
import { loadPayload } from "../helpers/payloads.js";
import { silentLog } from "../helpers/probot.js";
import { droppedColumnPullRequest, mockPullRequestRepo } from "../helpers/pull-request-repo.js";
import { signedWebhookHeaders, testServerSettings } from "../helpers/server-settings.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";

let dir: string;
let store: SqliteStore;
let running: RunningServer;
let probot: Probot | undefined;

const octokitFor = installationOctokits(async () => {
  if (!probot) throw new Error("the server has not started yet");
  return probot;
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "backflow-enqueue-"));
  store = openSqliteStore(join(dir, "backflow.db"));
  const settings = await testServerSettings();
  // No worker in the server: the test runs the queue itself once the webhook has been answered.
  running = await startServer({
    settings,
    store,
    log: silentLog(),
    Octokit: createBackflowOctokit({ testing: true }),
    worker: false,
    installations: octokitFor,
  });
  probot = running.probot;
});

afterEach(async () => {
  await running.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
});

function deliver(body: string, event = "pull_request") {
  return fetch(`${running.url}/api/github/webhooks`, {
    method: "POST",
    headers: signedWebhookHeaders(body, event),
    body,
  });
}

/** GitHub at its slowest: every request, of any method and path, is answered 10 s late. */
function slowGitHub(): void {
  for (const method of ["get", "post", "patch", "put", "delete"] as const)
    nock(GITHUB_API).persist()[method](/.*/).delay(10_000).reply(503, { message: "slow" });
}

describe("webhooks only validate and queue", () => {
  it("answers a signed pull_request.opened in under 1 s while GitHub is 10 s slow, queues one impact check, and the worker then writes one check run", async () => {
    slowGitHub();
    const payload = loadPayload("pull_request", { action: "opened" });
    const pr = payload.pull_request as { number: number; head: { sha: string }; base: { sha: string } };
    const body = JSON.stringify(payload);

    const started = performance.now();
    const response = await deliver(body);
    const elapsed = performance.now() - started;
    // A redelivery (same content, new delivery id) queues nothing new.
    const again = await deliver(body);

    expect(response.status).toBe(200);
    expect(again.status).toBe(200);
    expect(elapsed).toBeLessThan(1000);
    const queued = await store.jobs.list({ kind: "impact-check" });
    expect(queued.map((j) => [j.state, j.payload])).toEqual([
      [
        "queued",
        expect.objectContaining({
          repo: `${OWNER}/${REPO}`,
          pr: pr.number,
          headSha: pr.head.sha,
          baseSha: pr.base.sha,
        }),
      ],
    ]);

    // GitHub is back: the worker runs the job and writes exactly one check run.
    nock.cleanAll();
    mockInstallationToken();
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: pr.base.sha,
      headSha: pr.head.sha,
      files: droppedColumnPullRequest(),
    });
    scope
      .get(`/repos/${OWNER}/${REPO}/commits/${pr.head.sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    scope
      .post(`/repos/${OWNER}/${REPO}/check-runs`, (b) => b.name === IMPACT_CHECK_NAME)
      .reply(201, { id: 7 });
    scope
      .patch(`/repos/${OWNER}/${REPO}/check-runs/7`, (b) => b.status === "completed")
      .reply(200, { id: 7 });
    const { handlers, kinds } = workerJobsOf(JOB_REGISTRY, {
      deps: { store, clock: () => new Date() },
      log: silentLog(),
      octokitFor,
    });
    const worker = createWorker({ store, handlers, kinds, workerId: "test" });

    expect(await worker.drain()).toBe(1);
    expect(scope.isDone()).toBe(true);
    expect((await store.jobs.list({ kind: "impact-check" })).map((j) => j.state)).toEqual(["done"]);
  });

  it.each([
    ["a pull_request event without pull_request", "pull_request", { action: "opened" }, "pull_request"],
    ["a null body", "pull_request", null, "payload"],
    ["an issue_comment without a comment", "issue_comment", { action: "created" }, "comment"],
    ["a push without commits", "push", { ref: "refs/heads/main" }, "before"],
  ])("answers %s with a 400 naming the zod path, never a 500", async (_case, event, body, path) => {
    const base =
      body === null ? null : { ...loadPayload(event === "push" ? "push" : event, {}), ...(body as object) };
    if (base && event === "pull_request") delete (base as Record<string, unknown>).pull_request;
    if (base && event === "issue_comment") delete (base as Record<string, unknown>).comment;
    if (base && event === "push") {
      delete (base as Record<string, unknown>).before;
      delete (base as Record<string, unknown>).commits;
    }
    const response = await deliver(JSON.stringify(base), event);
    const text = await response.text();

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(text).toContain(path);
    expect(text).not.toMatch(/TypeError|Cannot read|at .*\.js:\d+/);
    expect(await store.jobs.list()).toEqual([]);
  });
});
