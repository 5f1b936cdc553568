import nock from "nock";
import { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createBackflowOctokit } from "../../src/github/backflow-octokit.js";
import { createGitHubBreakers, type GitHubBreakers } from "../../src/jobs/github-breakers.js";
import { defineJobKind, enqueueJob } from "../../src/jobs/queue.js";
import { createWorker, type Worker } from "../../src/jobs/worker.js";
import { type BackflowMetrics, createStoreMetrics } from "../../src/server/metrics.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { githubApi, mockInstallationToken } from "../helpers/github-nock.js";
import { silentLog, TEST_APP_ID, testPrivateKey } from "../helpers/probot.js";

// Octokit's retry and throttling plugins stay ON here (retry waits shortened to 10 ms × 1, 4):
// these tests are about what they do when GitHub is down or rate-limits.

const readRepo = defineJobKind("read-repo", z.strictObject({ repo: z.string() }), {
  retry: { maxAttempts: 3, baseMs: 1000, maxMs: 60_000 },
});
const local = defineJobKind("local", z.strictObject({ n: z.number() }), { github: false });
const REPO = { id: 1, name: "shop", full_name: "acme/shop", private: false };

describe("jobs while GitHub is down or rate-limiting", () => {
  let store: SqliteStore;
  let now: Date;
  let breakers: GitHubBreakers;
  let metrics: BackflowMetrics;
  let worker: Worker;
  const ran: string[] = [];

  beforeEach(() => {
    nock.cleanAll();
    store = openSqliteStore(":memory:");
    now = new Date("2025-06-01T00:00:00Z");
    const clock = () => now;
    breakers = createGitHubBreakers({ clock, settings: { failureThreshold: 2, cooldownMs: 30_000 } });
    metrics = createStoreMetrics(store, { clock, breakers: breakers.statuses });
    const probot = new Probot({
      appId: TEST_APP_ID,
      privateKey: testPrivateKey(),
      log: silentLog(),
      Octokit: createBackflowOctokit({ metrics, breakers, retry: { baseMs: 10 } }),
    });
    ran.length = 0;
    worker = createWorker({
      store,
      workerId: "w",
      clock,
      kinds: { "read-repo": readRepo, local },
      retry: { baseMs: 1000, maxMs: 60_000, jitter: () => 0.5 },
      github: breakers.gate("api.github.com"),
      handlers: {
        "read-repo": async () => {
          const octokit = await probot.auth(1);
          await octokit.rest.repos.get({ owner: "acme", repo: "shop" });
          ran.push("read-repo");
        },
        local: async () => {
          ran.push("local");
        },
      },
    });
    mockInstallationToken();
  });
  afterEach(async () => {
    nock.cleanAll();
    await store.close();
  });

  it("retries a 502 inside the request (retry plugin on) and completes the job on the first attempt", async () => {
    const scope = githubApi().get("/repos/acme/shop").reply(502, { message: "Bad Gateway" });
    scope.get("/repos/acme/shop").reply(200, REPO);
    const { job } = await enqueueJob(store, { kind: readRepo, payload: { repo: "acme/shop" }, now });
    expect(await worker.drain()).toBe(1);
    expect(scope.isDone()).toBe(true);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 1 });
    expect(metrics.githubRequests.get({ method: "GET", status: "200" })).toBe(1);
  });

  it("an outage: bounded in-request retries, then backoff; the breaker opens, GitHub-bound jobs wait with their attempts unspent, a probe closes it", async () => {
    // Each attempt makes 3 requests (1 + 2 in-request retries): first GitHub answers 503, then nothing at all.
    const down = githubApi().get("/repos/acme/shop").times(3).reply(503, { message: "Service Unavailable" });
    down
      .get("/repos/acme/shop")
      .times(3)
      .replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" });
    const { job } = await enqueueJob(store, { kind: readRepo, payload: { repo: "acme/shop" }, now });
    const other = await enqueueJob(store, {
      kind: readRepo,
      payload: { repo: "acme/other" },
      now: new Date(now.getTime() + 1),
    });

    expect(await worker.runOnce()).toBe(true);
    const first = await store.jobs.get(job.id);
    expect(first).toMatchObject({ state: "queued", attempts: 1, runAt: new Date(now.getTime() + 500) });
    expect(first?.lastError).toMatch(/GitHub answered 503/);

    now = new Date(now.getTime() + 600);
    // The other job runs next; its failure opens the breaker, so its attempt is given back, not spent.
    expect(await worker.runOnce()).toBe(true);
    expect(down.isDone()).toBe(true);
    const released = await store.jobs.get(other.job.id);
    expect(released).toMatchObject({ state: "queued", attempts: 0, runAt: new Date(now.getTime() + 30_000) });
    expect(released?.lastError).toMatch(/circuit breaker open/);
    expect(released?.lastError).toMatch(/GitHub could not be reached/);
    expect(metrics.githubRequests.get({ method: "GET", status: "503" })).toBe(1);
    expect(metrics.githubRequests.get({ method: "GET", status: "network-error" })).toBe(1);
    expect(metrics.githubRequests.get({ method: "GET", status: "500" })).toBe(0);

    // While open: due GitHub-bound jobs are not claimed; a job that does not call GitHub still runs.
    await enqueueJob(store, { kind: local, payload: { n: 1 }, now });
    now = new Date(now.getTime() + 10_000);
    expect(await worker.drain()).toBe(1);
    expect(ran).toEqual(["local"]);
    expect(await metrics.registry.render()).toContain(
      'backflow_github_breaker_state{host="api.github.com"} 2',
    );
    expect((await store.jobs.list({ kind: "read-repo" })).map((j) => [j.state, j.attempts])).toEqual([
      ["queued", 1],
      ["queued", 0],
    ]);

    // After the cooldown one probe goes; GitHub answers, the breaker closes and the rest follow.
    githubApi().get("/repos/acme/shop").times(2).reply(200, REPO);
    now = new Date(now.getTime() + 30_000);
    expect(await worker.drain()).toBe(2);
    expect(ran).toEqual(["local", "read-repo", "read-repo"]);
    expect(await metrics.registry.render()).toContain(
      'backflow_github_breaker_state{host="api.github.com"} 0',
    );
    expect((await store.jobs.list({ kind: "read-repo" })).map((j) => [j.state, j.attempts])).toEqual([
      ["done", 2],
      ["done", 1],
    ]);
  });

  it("a secondary rate limit with a short retry-after is waited out inside the request (throttling plugin on)", async () => {
    const scope = githubApi().get("/repos/acme/shop").reply(
      403,
      {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      },
      { "retry-after": "1" },
    );
    scope.get("/repos/acme/shop").reply(200, REPO);
    const { job } = await enqueueJob(store, { kind: readRepo, payload: { repo: "acme/shop" }, now });
    expect(await worker.drain()).toBe(1);
    expect(scope.isDone()).toBe(true);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: "done", attempts: 1 });
  });

  it("a secondary rate limit with a long retry-after releases the job until then, without spending the attempt", async () => {
    const scope = githubApi().get("/repos/acme/shop").reply(
      403,
      {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      },
      { "retry-after": "120" },
    );
    const { job } = await enqueueJob(store, { kind: readRepo, payload: { repo: "acme/shop" }, now });
    expect(await worker.drain()).toBe(1);
    expect(scope.isDone()).toBe(true);
    const stored = await store.jobs.get(job.id);
    expect(stored).toMatchObject({ state: "queued", attempts: 0, runAt: new Date(now.getTime() + 120_000) });
    expect(stored?.lastError).toMatch(/^rate limited: GitHub answered 403/);
    // A rate limit is an answer: the breaker stays closed.
    expect(await metrics.registry.render()).toContain(
      'backflow_github_breaker_state{host="api.github.com"} 0',
    );
  });

  it("dead-letters a job GitHub answers 404 for (a deleted repository) at once, with the reason", async () => {
    githubApi()
      .get("/repos/acme/shop")
      .reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    const { job } = await enqueueJob(store, { kind: readRepo, payload: { repo: "acme/shop" }, now });
    expect(await worker.drain()).toBe(1);
    const dead = await store.jobs.get(job.id);
    expect(dead).toMatchObject({ state: "dead", attempts: 1 });
    expect(dead?.lastError).toMatch(/no longer exists.*404/);
  });
});
