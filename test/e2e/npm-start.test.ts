import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IMPACT_CHECK_NAME } from "../../src/github/services/plan-impact-check.js";
import { githubApi, mockInstallationToken } from "../helpers/github-nock.js";
import { loadPayload } from "../helpers/payloads.js";
import { findFreePort, TEST_APP_ID, TEST_WEBHOOK_SECRET, testPrivateKey } from "../helpers/probot.js";
import { droppedColumnPullRequest, mockPullRequestRepo } from "../helpers/pull-request-repo.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";

/**
 * GitHub for a child process: a server on loopback (the child reaches it through GHE_HOST and
 * GHE_PROTOCOL=http) that replays each request against api.github.com in this process, where nock
 * answers it and the OpenAPI conformance check records it. `seen` lists what the child sent.
 */
function standInGitHub(onRequest: (method: string, path: string) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const path = (req.url ?? "/").replace(/^\/api\/v3/, "");
      const method = req.method ?? "GET";
      onRequest(method, path);
      try {
        const answer = await fetch(`https://api.github.com${path}`, {
          method,
          headers: {
            "content-type": "application/json",
            authorization: String(req.headers.authorization ?? ""),
          },
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(await answer.text());
      } catch {
        res.writeHead(599);
        res.end();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let dir: string;
let github: Server;
let child: ChildProcess | undefined;
const seen: string[] = [];
let onRequest: (method: string, path: string) => void = () => {};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "backflow-npm-start-"));
  seen.length = 0;
  github = await standInGitHub((method, path) => {
    seen.push(`${method} ${path.split("?")[0]}`);
    onRequest(method, path);
  });
});

afterEach(async () => {
  child?.kill("SIGKILL");
  await new Promise((resolve) => github.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
});

/** `npm start`'s process (src/main.ts), with GitHub on loopback and a short job lease. */
async function startBackflow(port: number): Promise<ChildProcess> {
  // node itself (not npx), so SIGKILL reaches the process that runs the worker.
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      APP_ID: String(TEST_APP_ID),
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: join(dir, "backflow.db"),
      LOG_LEVEL: "silent",
      GHE_HOST: `127.0.0.1:${(github.address() as AddressInfo).port}`,
      GHE_PROTOCOL: "http",
      BACKFLOW_JOB_LEASE_MS: "1000",
    },
    stdio: "ignore",
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return proc;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("npm start did not answer /healthz within 30 s");
}

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; GitHub saw: ${seen.join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm start, end to end", () => {
  it("completes the check run a SIGKILLed worker left in progress, after a restart, without a second one", async () => {
    const payload = loadPayload("pull_request", { action: "opened" });
    const pr = payload.pull_request as { head: { sha: string }; base: { sha: string } };
    mockInstallationToken();
    const scope = githubApi();
    mockPullRequestRepo(scope, {
      owner: OWNER,
      repo: REPO,
      baseSha: pr.base.sha,
      headSha: pr.head.sha,
      files: droppedColumnPullRequest(),
    });
    const runs: unknown[] = [];
    scope
      .persist()
      .get(`/repos/${OWNER}/${REPO}/commits/${pr.head.sha}/check-runs`)
      .query(true)
      .reply(200, () => ({ total_count: runs.length, check_runs: runs }));
    scope
      .post(
        `/repos/${OWNER}/${REPO}/check-runs`,
        (b) => b.name === IMPACT_CHECK_NAME && b.status === "in_progress",
      )
      .reply(201, () => {
        runs.push({ id: 77, name: IMPACT_CHECK_NAME, head_sha: pr.head.sha, status: "in_progress" });
        return { id: 77 };
      });
    scope
      .patch(`/repos/${OWNER}/${REPO}/check-runs/77`, (b) => b.status === "completed")
      .reply(200, { id: 77 });

    const port = await findFreePort();
    child = await startBackflow(port);
    // The first request after the check run was created: the worker dies mid-check.
    let created = false;
    let killed = false;
    onRequest = (method, path) => {
      if (method === "POST" && path.endsWith("/check-runs")) created = true;
      else if (created && !killed) {
        killed = true;
        child?.kill("SIGKILL");
      }
    };
    const body = JSON.stringify(payload);
    const answer = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${createHmac("sha256", TEST_WEBHOOK_SECRET).update(body).digest("hex")}`,
      },
      body,
    });
    expect(answer.status).toBe(200);
    await until(() => killed, "the worker to be killed after creating the check run");
    // The kill happens inside a request callback, so the exit may already have been emitted.
    const dead = child;
    if (dead && dead.exitCode === null && dead.signalCode === null)
      await new Promise((resolve) => dead.once("exit", resolve));

    onRequest = () => {};
    child = await startBackflow(port);
    await until(
      () => seen.includes(`PATCH /repos/${OWNER}/${REPO}/check-runs/77`),
      "the check run to be completed",
    );
    child.kill("SIGTERM");

    expect(seen.filter((s) => s === `POST /repos/${OWNER}/${REPO}/check-runs`)).toHaveLength(1);
    expect(scope.isDone()).toBe(true);
  }, 120_000);
});
