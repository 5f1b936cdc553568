import { createHmac, randomUUID } from "node:crypto";
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
import { createStoreMetrics } from "../../src/server/metrics.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { githubApi, mockInstallationToken } from "../helpers/github-nock.js";
import { takeRecordedRequests } from "../helpers/openapi-conformance.js";
import { loadPayload } from "../helpers/payloads.js";
import { silentLog, TEST_WEBHOOK_SECRET } from "../helpers/probot.js";
import { droppedColumnPullRequest, mockPullRequestRepo } from "../helpers/pull-request-repo.js";
import { testServerSettings } from "../helpers/server-settings.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";

let dir: string;
let store: SqliteStore;
let running: RunningServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "backflow-e2e-"));
  store = openSqliteStore(join(dir, "backflow.db"));
  const settings = await testServerSettings();
  const metrics = createStoreMetrics(store);
  const Octokit = createBackflowOctokit({ testing: true, metrics });
  // As npm start wires it: webhooks queue jobs, the server's worker runs them as the app's installation.
  let probot: Probot | undefined;
  const octokitFor = installationOctokits(async () => {
    if (!probot) throw new Error("the server has not started yet");
    return probot;
  });
  const jobs = workerJobsOf(JOB_REGISTRY, {
    deps: { store, clock: () => new Date(), dryRun: false, metrics },
    log: silentLog(),
    octokitFor,
  });
  running = await startServer({
    settings,
    store,
    log: silentLog(),
    Octokit,
    metrics,
    jobs,
    installations: octokitFor,
  });
  probot = running.probot;
});

/** Waits until the server's worker has finished `count` jobs, for at most 15 s. */
async function jobsProcessed(count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    if (metrics.includes(`backflow_jobs_processed_total ${count}`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterEach(async () => {
  await running.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
});

function deliver(body: string, signature: string, event = "pull_request") {
  return fetch(`${running.url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signature,
    },
    body,
  });
}

function sign(body: string, secret = TEST_WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

describe("the real server", () => {
  it("turns a signed pull_request.opened delivery into the impact check run of its head SHA", async () => {
    const payload = loadPayload("pull_request", { action: "opened" });
    const pr = payload.pull_request as { head: { sha: string }; base: { sha: string } };
    const sha = pr.head.sha;
    mockInstallationToken();
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: pr.base.sha,
      headSha: sha,
      files: droppedColumnPullRequest(),
    });
    scope
      .get(`/repos/${OWNER}/${REPO}/commits/${sha}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    scope
      .post(
        `/repos/${OWNER}/${REPO}/check-runs`,
        (b) => b.name === IMPACT_CHECK_NAME && b.head_sha === sha && b.status === "in_progress",
      )
      .reply(201, { id: 1 });
    scope
      .patch(
        `/repos/${OWNER}/${REPO}/check-runs/1`,
        (b) => b.status === "completed" && b.conclusion === "action_required",
      )
      .reply(200, { id: 1 });
    const body = JSON.stringify(payload);

    const response = await deliver(body, sign(body));
    await jobsProcessed(1);

    expect(response.status).toBe(200);
    expect(scope.isDone()).toBe(true);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('backflow_webhooks_received_total{event="pull_request"} 1');
    expect(metrics).toContain('backflow_check_runs_written_total{action="created"} 1');
    expect(metrics).toContain('backflow_check_runs_written_total{action="updated"} 1');
    expect(metrics).toMatch(/backflow_github_requests_total\{method="POST",status="201"\} 2/);
    expect(metrics).toMatch(/backflow_github_requests_total\{method="PATCH",status="200"\} 1/);
  });

  it("refuses a delivery with a bad signature and sends nothing to GitHub", async () => {
    const body = JSON.stringify(loadPayload("pull_request", { action: "opened" }));

    const response = await deliver(body, sign(body, "not-the-secret"));

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(takeRecordedRequests()).toEqual([]);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain("backflow_webhooks_received_total 0");
  });

  it("answers /healthz with 200 ok", async () => {
    const response = await fetch(`${running.url}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
  });

  it("answers /readyz with 200 while the store answers and 503 once it is closed", async () => {
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);

    await store.close();
    const response = await fetch(`${running.url}/readyz`);

    expect(response.status).toBe(503);
    expect(await response.text()).toContain("store unavailable");
  });

  it("serves /metrics in the Prometheus text format 0.0.4", async () => {
    const response = await fetch(`${running.url}/metrics`);
    const text = await response.text();

    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?[0-9.e+NaInf-]+$/;
    for (const line of text.trimEnd().split("\n")) {
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      expect(line).toMatch(sample);
    }
    expect(text).toContain("# TYPE backflow_jobs_queued gauge");
    expect(text).toContain("backflow_jobs_queued 0");
    expect(text).toContain("# TYPE backflow_webhooks_received_total counter");
  });

  it("answers unknown paths with 404", async () => {
    expect((await fetch(`${running.url}/nope`)).status).toBe(404);
  });
});

describe("extra routes", () => {
  it("serves routes passed to startServer on the webhook port", async () => {
    const extraStore = openSqliteStore(":memory:");
    const extra = await startServer({
      settings: await testServerSettings(),
      store: extraStore,
      log: silentLog(),
      routes: [
        (req, res) => {
          if (req.url !== "/signals") return false;
          res.writeHead(202).end();
          return true;
        },
      ],
    });
    try {
      expect((await fetch(`${extra.url}/signals`, { method: "POST" })).status).toBe(202);
      expect((await fetch(`${extra.url}/healthz`)).status).toBe(200);
    } finally {
      await extra.stop();
      await extraStore.close();
    }
  });
});
