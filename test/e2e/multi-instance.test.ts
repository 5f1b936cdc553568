import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import nock from "nock";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DASHBOARD_MARKER } from "../../src/core/render/render-dashboard.js";
import { IMPACT_CHECK_NAME } from "../../src/github/services/plan-impact-check.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import { CONFIG, completeness, FULL_NAME } from "../github/drift/drift-harness.js";
import { type FakeGitHub, fakeGitHub } from "../github/drift/fake-github.js";
import { type BackflowInstance, startBackflowInstance } from "../helpers/backflow-instance.js";
import { githubApi, mockInstallationToken } from "../helpers/github-nock.js";
import { loadPayload } from "../helpers/payloads.js";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.js";
import { droppedColumnPullRequest, mockPullRequestRepo } from "../helpers/pull-request-repo.js";
import { redisTestUrl } from "../helpers/redis.js";
import { signedWebhookHeaders, signWebhook } from "../helpers/server-settings.js";
import { type StandInGitHub, startStandInGitHub } from "../helpers/stand-in-github.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { post, SECRET, signedHeaders } from "../server/signals/intake-harness.js";

// Three `npm start` processes on one PostgreSQL database (reached through a TCP proxy the test can
// cut), all talking to one stand-in GitHub on loopback that nock answers in this process.
const OWNER = "Codertocat";
const REPO = "Hello-World";
// Longer than the 5 s PostgreSQL outage below (as the 30 s default is), short enough for the SIGKILL test.
const LEASE_MS = 6000;

let db: TestDatabase;
let proxy: TcpProxy;
let github: StandInGitHub;
let store: Store;
let dir: string;
let drift: FakeGitHub;
let redisUrl: string;
let redis: Redis;
const instances: BackflowInstance[] = [];

/** Check runs as GitHub keeps them, shared by every instance; `created` counts creations per head SHA. */
const checkRuns = {
  runs: [] as Array<{ id: number; name: string; head_sha: string; status: string; conclusion?: string }>,
  created: new Map<string, number>(),
  completed: new Map<string, number>(),
};

function mockCheckRuns(): void {
  const scope = githubApi({ persist: true });
  scope
    .get(new RegExp(`/repos/${OWNER}/${REPO}/commits/[0-9a-f]{40}/check-runs`))
    .query(true)
    .reply((uri) => {
      const sha = uri.split("/commits/")[1]?.split("/")[0] ?? "";
      const mine = checkRuns.runs.filter((r) => r.head_sha === sha);
      return [200, { total_count: mine.length, check_runs: mine }];
    });
  scope.post(`/repos/${OWNER}/${REPO}/check-runs`).reply((_uri, body) => {
    const input = body as { name: string; head_sha: string; status?: string };
    const run = {
      id: checkRuns.runs.length + 1,
      name: input.name,
      head_sha: input.head_sha,
      status: input.status ?? "queued",
    };
    checkRuns.runs.push(run);
    checkRuns.created.set(run.head_sha, (checkRuns.created.get(run.head_sha) ?? 0) + 1);
    return [201, run];
  });
  scope.patch(new RegExp(`/repos/${OWNER}/${REPO}/check-runs/\\d+$`)).reply((uri, body) => {
    const run = checkRuns.runs.find((r) => r.id === Number(uri.split("/").pop()));
    if (!run) return [404, { message: "Not Found" }];
    Object.assign(run, body as object);
    if (run.status === "completed")
      checkRuns.completed.set(run.head_sha, (checkRuns.completed.get(run.head_sha) ?? 0) + 1);
    return [200, run];
  });
}

/** Requests the throttling plugin's global limiter (Bottleneck id octokit-global) counted in Redis, over all instances. */
async function limitedInRedis(): Promise<number> {
  let done = 0;
  for (const key of await redis.keys("b_octokit-global*_settings"))
    done += Number((await redis.hget(key, "done")) ?? 0);
  return done;
}

/** A pull_request.opened payload for its own head SHA, with the repository files nock serves. */
function pullRequest(n: number): { body: string; headSha: string } {
  const headSha = (n.toString(16).padStart(8, "0") + "c0ffee".repeat(6)).slice(0, 40);
  const payload = loadPayload("pull_request", {
    action: "opened",
    overrides: { number: 100 + n, pull_request: { number: 100 + n, head: { sha: headSha } } },
  });
  const baseSha = (payload.pull_request as { base: { sha: string } }).base.sha;
  mockPullRequestRepo(githubApi(), {
    owner: OWNER,
    repo: REPO,
    baseSha,
    headSha,
    files: droppedColumnPullRequest(),
  });
  return { body: JSON.stringify(payload), headSha };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const logs = instances.map((i) => `--- ${i.name}\n${i.output().slice(-3000)}`).join("\n");
      const jobs = await store.jobs.list().catch(() => []);
      const queue = jobs.map(
        (j) => `${j.kind}#${j.id} ${j.state} attempts=${j.attempts} ${j.lastError ?? ""}`,
      );
      throw new Error(
        `timed out waiting for ${what}\nGitHub saw: ${github.seen().join(", ")}\nqueue:\n${queue.join("\n")}\n${await databaseActivity()}\n${logs}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the instances' connections are doing and which leases are held: the first thing to read when work hangs. */
async function databaseActivity(): Promise<string> {
  const client = new pg.Client({ connectionString: db.url });
  try {
    await client.connect();
    const activity = await client.query(
      "SELECT state, wait_event_type, wait_event, now() - query_start AS for, left(query, 160) AS query FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle'",
      [db.name],
    );
    const leases = await client.query("SELECT * FROM leases").catch(() => ({ rows: [] }));
    return `database activity: ${JSON.stringify(activity.rows)}\nleases: ${JSON.stringify(leases.rows)}`;
  } catch (error) {
    return `database activity unavailable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every instance is still running (a database outage must not end a process); shows the log of one that died. */
function expectAllAlive(): void {
  for (const instance of instances)
    expect(instance.process.exitCode, `${instance.name} exited:\n${instance.output()}`).toBeNull();
}

/** `backflow_signal_intake_total` of one instance's /metrics, by outcome. */
async function intakeOutcomes(instance: BackflowInstance): Promise<Record<string, number>> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  const outcomes: Record<string, number> = {};
  for (const [, outcome = "", value] of text.matchAll(
    /^backflow_signal_intake_total\{outcome="([^"]+)"\} (\S+)$/gm,
  ))
    outcomes[outcome] = Number(value);
  return outcomes;
}

async function startInstance(name: string): Promise<BackflowInstance> {
  const database = new URL(db.url);
  database.hostname = "127.0.0.1";
  database.port = String(proxy.port);
  const instance = await startBackflowInstance({
    name,
    env: {
      DATABASE_URL: database.toString(),
      GHE_HOST: await github.hostFor(name),
      GHE_PROTOCOL: "http",
      BACKFLOW_SIGNAL_SOURCES: join(dir, "sources.json"),
      BACKFLOW_JOB_LEASE_MS: String(LEASE_MS),
      BACKFLOW_SHUTDOWN_GRACE_MS: "1000",
      // One rate limiter for all three, as in production.
      REDIS_URL: redisUrl,
    },
  });
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "backflow-instances-"));
  writeFileSync(
    join(dir, "sources.json"),
    JSON.stringify({ sources: [{ id: "monitor", secrets: [SECRET], repos: [FULL_NAME] }] }),
  );
  db = await createTestDatabase();
  redisUrl = await redisTestUrl();
  redis = new Redis(redisUrl, { lazyConnect: true });
  const server = new URL(db.url);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  github = startStandInGitHub();
  mockInstallationToken();
  mockCheckRuns();
  drift = fakeGitHub({ config: CONFIG });
  // Jobs that start from a repository name (signal triage) look its installation up first.
  githubApi({ persist: true }).get(`/repos/${FULL_NAME}/installation`).reply(200, { id: 1 });
  // Started together: they race for the migration lock; one migrates, the others wait and find it done.
  await Promise.all(["A", "B", "C"].map(startInstance));
  store = await openStore(db.url);
}, 60_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop("SIGKILL")));
  await store?.close();
  redis?.disconnect();
  await github?.close();
  await proxy?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
});

describe("three instances on one PostgreSQL database", () => {
  it("writes one check run for a pull_request webhook delivered to all three at once", async () => {
    const { body, headSha } = pullRequest(1);
    const limitedBefore = await limitedInRedis();
    const headers = signedWebhookHeaders(body);
    const redelivery = {
      ...headers,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": signWebhook(body),
    };

    const answers = await Promise.all(
      instances.map((instance, i) =>
        fetch(`${instance.url}/api/github/webhooks`, {
          method: "POST",
          headers: i === 2 ? redelivery : headers,
          body,
        }),
      ),
    );

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await until(() => (checkRuns.completed.get(headSha) ?? 0) > 0, "the impact check run to complete");
    // Give a second job, had one been queued, the time to run and post a second check run.
    await new Promise((r) => setTimeout(r, 1000));
    expect(checkRuns.created.get(headSha)).toBe(1);
    expect(checkRuns.runs.filter((r) => r.head_sha === headSha)).toEqual([
      expect.objectContaining({ name: IMPACT_CHECK_NAME, status: "completed" }),
    ]);
    // Every API request (token requests have their own limiter) went through the limiter shared in Redis.
    const apiRequests = github.requests.filter((r) => !r.path.startsWith("/app/")).length;
    expect(await limitedInRedis()).toBe(limitedBefore + apiRequests);
  });

  it("answers signals 503 with retry-after while PostgreSQL is unreachable for 5 s, then triages every 202'd one", async () => {
    const accepted: string[] = [];
    const refused: Array<{ status: number; retryAfter: unknown }> = [];
    const readiness: number[] = [];
    let n = 0;
    const send = async (): Promise<void> => {
      const id = `msg_outage_${++n}`;
      const instance = instances[n % instances.length] as BackflowInstance;
      const body = JSON.stringify(completeness({ id: `sig-${n}`, at: new Date(), value: 0.9 }));
      const reply = await post({
        port: instance.port,
        path: "/signals",
        body,
        headers: signedHeaders({ secret: SECRET, body, id }),
      }).catch(() => ({ status: 0, headers: {} as Record<string, unknown>, body: {} }));
      if (reply.status === 202) accepted.push(id);
      else refused.push({ status: reply.status, retryAfter: reply.headers["retry-after"] });
    };
    const sendFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await send();
        await new Promise((r) => setTimeout(r, 40));
      }
    };

    await sendFor(1000);
    proxy.cut();
    const outage = sendFor(5000);
    await new Promise((r) => setTimeout(r, 1000));
    expectAllAlive();
    readiness.push(
      ...(await Promise.all(instances.map((i) => fetch(`${i.url}/readyz`).then((r) => r.status)))),
    );
    await outage;
    proxy.restore();
    await until(
      async () =>
        (await Promise.all(instances.map((i) => fetch(`${i.url}/readyz`).then((r) => r.status)))).every(
          (s) => s === 200,
        ),
      "every instance to be ready again",
    );
    await sendFor(1000);

    expect(readiness).toEqual([503, 503, 503]);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.status === 503 && r.retryAfter === "5")).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);
    // /metrics counts those answers as "unavailable" (an outage), none as "error" (a bug).
    const intake = await Promise.all(instances.map((i) => intakeOutcomes(i)));
    expect(intake.reduce((sum, o) => sum + (o.unavailable ?? 0), 0)).toBe(refused.length);
    expect(intake.reduce((sum, o) => sum + (o.error ?? 0), 0)).toBe(0);
    await until(
      async () => {
        for (const id of accepted) {
          const stored = await store.signals.getDelivery({ source: "monitor", deliveryId: id });
          if (stored?.delivery.state !== "processed") return false;
        }
        return true;
      },
      `all ${accepted.length} accepted deliveries to be triaged`,
      // A job whose outcome could not be written during the outage runs again once its lease runs out.
      // On a loaded 2-core CI machine that took longer than six leases once (two jobs still running at 36 s).
      LEASE_MS * 15,
    );
    // Every observation was of one finding: one drift issue, whichever instance triaged it. The only
    // other issue may be the feedback dashboard, refreshed at the turn of each minute (a slow run
    // crosses one), found by its own marker.
    const issues = [...drift.issues.values()];
    const dashboards = issues.filter((issue) => issue.body.includes(DASHBOARD_MARKER));
    expect(dashboards.length).toBeLessThanOrEqual(1);
    expect(issues.filter((issue) => !issue.body.includes(DASHBOARD_MARKER))).toHaveLength(1);
  }, 150_000);

  it("finishes on the other two the jobs a SIGKILLed instance held, each check run created once", async () => {
    const [victim] = instances as [BackflowInstance];
    const prs = [2, 3, 4, 5, 6, 7].map(pullRequest);
    // Every GitHub request waits until the victim is holding a job; the victim's never get an answer.
    const held: Array<() => void> = [];
    let holding = true;
    github.gate = (request) => {
      if (request.instance === victim.name) return new Promise<void>(() => {});
      if (!holding) return;
      return new Promise<void>((resolve) => held.push(resolve));
    };

    for (const pr of prs) {
      const answer = await fetch(`${victim.url}/api/github/webhooks`, {
        method: "POST",
        headers: signedWebhookHeaders(pr.body),
        body: pr.body,
      });
      expect(answer.status).toBe(200);
    }
    await until(() => github.requests.some((r) => r.instance === victim.name), "the victim to start a job");
    await new Promise((r) => setTimeout(r, 300));
    await victim.stop("SIGKILL");
    instances.splice(instances.indexOf(victim), 1);
    holding = false;
    for (const release of held.splice(0)) release();

    await until(
      () => prs.every((pr) => (checkRuns.completed.get(pr.headSha) ?? 0) > 0),
      "every check run to complete on the surviving instances",
      LEASE_MS * 4,
    );
    github.gate = () => {};

    // The check run completes just before its job is marked done (that write can land a moment later,
    // on a loaded machine well over 100 ms): wait for every job, the first test's and these six, to be done.
    await until(
      async () => {
        const jobs = await store.jobs.list({ kind: "impact-check" });
        return jobs.length === 1 + prs.length && jobs.every((j) => j.state === "done");
      },
      `all ${1 + prs.length} impact-check jobs to be marked done`,
      LEASE_MS * 4,
    );

    for (const pr of prs) {
      expect(checkRuns.created.get(pr.headSha)).toBe(1);
      expect(checkRuns.completed.get(pr.headSha)).toBe(1);
    }
    const jobs = await store.jobs.list({ kind: "impact-check" });
    expect(jobs).toHaveLength(1 + prs.length);
  }, 60_000);
});
