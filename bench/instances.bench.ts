/**
 * Backflow on several instances, with real `npm start` processes (src/main.ts through tsx):
 *  - signal intake req/s and p99 with 1 instance on SQLite, 1 on PostgreSQL and 3 on PostgreSQL, under the
 *    same closed-loop load (BENCH_INSTANCES_CONCURRENCY senders for BENCH_INSTANCES_SECONDS, round-robin);
 *  - triage jobs completed per second once GitHub (a stand-in on loopback) answers (after a warm-up in
 *    which every instance triaged a few signals, so cold lineage builds are not counted);
 *  - with 3 instances, the time from SIGKILL of one that holds jobs to those jobs being done elsewhere
 *    (lease BENCH_INSTANCES_LEASE_MS).
 * While intake is measured, the stand-in GitHub holds every request, so the workers sit idle on it.
 * BENCH_INSTANCES_WORKER_CONCURRENCY sets each instance's BACKFLOW_WORKER_CONCURRENCY (e.g. 1 leaves no
 * idle graphile worker for a job's NOTIFY to wake, to tell that cost apart from the rest).
 *
 *   npx tsx bench/instances.bench.ts
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import pg from "pg";
import { signStandardWebhook } from "../src/server/signals/verify-standard-webhook.js";
import { openStore } from "../src/store/open-store.js";
import type { Store } from "../src/store/store.js";
import { CONFIG, FULL_NAME } from "../test/github/drift/drift-harness.js";
import { fakeGitHub } from "../test/github/drift/fake-github.js";
import { type BackflowInstance, startBackflowInstance } from "../test/helpers/backflow-instance.js";
import { githubApi, mockInstallationToken } from "../test/helpers/github-nock.js";
import { createTestDatabase } from "../test/helpers/postgres.js";
import { type StandInGitHub, startStandInGitHub } from "../test/helpers/stand-in-github.js";
import type { Figure } from "./figure.js";

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;

type Setup = { readonly name: string; readonly instances: number; readonly postgres: boolean };
const SETUPS: readonly Setup[] = [
  { name: "sqlite_1", instances: 1, postgres: false },
  { name: "postgres_1", instances: 1, postgres: true },
  { name: "postgres_3", instances: 3, postgres: true },
];

function signalBody(i: number): string {
  return JSON.stringify({
    id: `bench-${i}-${randomBytes(4).toString("hex")}`,
    type: "metric_breach",
    severity: "warning",
    dataset: { name: `analytics.table_${i % 50}` },
    column: `column_${i % 7}`,
    measurement: { metric: "nullValues", value: (i % 100) / 1000, unit: "ratio" },
    message: "null rate above threshold",
    observedAt: new Date().toISOString(),
  });
}

function send(agent: Agent, port: number, i: number): Promise<{ status: number; ms: number }> {
  const body = signalBody(i);
  const id = `msg_${i}_${randomBytes(6).toString("hex")}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: `/signals?repo=${FULL_NAME}`,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signStandardWebhook({ secret: SECRET, id, timestamp, body }),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** `concurrency` senders, each posting its next signal as soon as the last one is answered, round-robin. */
async function closedLoop(ports: readonly number[], seconds: number, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const i = n++;
        const { status, ms } = await send(agent, ports[i % ports.length] ?? 0, i);
        if (status === 202) latencies.push(ms);
        else failures += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p99: percentile(latencies, 99),
    failures,
    accepted: latencies.length,
  };
}

async function doneJobs(store: Store): Promise<number> {
  return (await store.jobs.list({ state: "done", kind: "triage-delivery" })).length;
}

const round = (value: number) => Math.round(value * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Cluster = {
  readonly instances: BackflowInstance[];
  readonly store: Store;
  readonly url: string;
  stop(): Promise<void>;
};

/** `count` instances on a fresh database (PostgreSQL or a SQLite file), and a store on it for counting jobs. */
async function startCluster(input: {
  name: string;
  count: number;
  postgres: boolean;
  github: StandInGitHub;
  dir: string;
  leaseMs: number;
  workerConcurrency?: string | undefined;
}): Promise<Cluster> {
  const database = input.postgres ? await createTestDatabase() : undefined;
  const url = database?.url ?? join(input.dir, `${input.name}.db`);
  const instances: BackflowInstance[] = [];
  const stop = async () => {
    await Promise.all(instances.map((i) => i.stop("SIGKILL")));
    await store?.close();
    await database?.drop();
  };
  let store: Store | undefined;
  try {
    for (let i = 0; i < input.count; i++) {
      const name = `${input.name}-${i}`;
      instances.push(
        await startBackflowInstance({
          name,
          env: {
            DATABASE_URL: url,
            GHE_HOST: await input.github.hostFor(name),
            GHE_PROTOCOL: "http",
            BACKFLOW_SIGNAL_SOURCES: join(input.dir, "sources.json"),
            BACKFLOW_JOB_LEASE_MS: String(input.leaseMs),
            LOG_LEVEL: "error",
            // BENCH_INSTANCES_WORKER_CONCURRENCY: jobs each instance runs at once (the server's default when unset).
            ...(input.workerConcurrency ? { BACKFLOW_WORKER_CONCURRENCY: input.workerConcurrency } : {}),
          },
          readyWithinMs: 60_000,
        }),
      );
    }
    store = await openStore(url);
    return { instances, store, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Intake under load (GitHub held, so workers sit idle), then triage jobs per second once GitHub answers. */
async function intakeAndJobs(input: {
  env: NodeJS.ProcessEnv;
  setup: Setup;
  github: StandInGitHub;
  dir: string;
  seconds: number;
  concurrency: number;
  leaseMs: number;
}): Promise<Figure[]> {
  const { setup, github, env } = input;
  const prefix = `instances.${setup.name}`;
  const release: Array<() => void> = [];
  let holding = false;
  github.gate = () => (holding ? new Promise<void>((resolve) => release.push(resolve)) : undefined);
  const cluster = await startCluster({
    ...input,
    workerConcurrency: env.BENCH_INSTANCES_WORKER_CONCURRENCY,
    name: setup.name,
    count: setup.instances,
    postgres: setup.postgres,
  });
  try {
    const ports = cluster.instances.map((i) => i.port);
    // Warm-up with GitHub answering: every instance triages a few signals (lineage built, caches filled).
    const warm = new Agent({ keepAlive: true });
    for (let i = 0; i < 4 * ports.length; i++) await send(warm, ports[i % ports.length] ?? 0, 2_000_000 + i);
    warm.destroy();
    const warmDeadline = Date.now() + 120_000;
    while ((await doneJobs(cluster.store)) < 4 * ports.length && Date.now() < warmDeadline) await sleep(200);
    holding = true;
    await closedLoop(ports, 1, input.concurrency);
    const intake = await closedLoop(ports, input.seconds, input.concurrency);
    holding = false;
    for (const resolve of release.splice(0)) resolve();
    // Measured over a window once jobs are flowing; the backlog is far longer than the window.
    await sleep(2000);
    const before = await doneJobs(cluster.store);
    const started = performance.now();
    await sleep(10_000);
    const completed = (await doneJobs(cluster.store)) - before;
    if (env.BENCH_INSTANCES_DEBUG) {
      const states: Record<string, number> = {};
      for (const job of await cluster.store.jobs.list()) states[job.state] = (states[job.state] ?? 0) + 1;
      process.stderr.write(`${setup.name}: jobs ${JSON.stringify(states)}\n`);
      for (const i of cluster.instances) process.stderr.write(`--- ${i.name}\n${i.output().slice(-2000)}\n`);
      if (setup.postgres) {
        const client = new pg.Client({ connectionString: cluster.url });
        await client.connect();
        const leases = await client.query("SELECT * FROM leases");
        const activity = await client.query(
          "SELECT state, wait_event, left(query, 120) AS query FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle'",
        );
        process.stderr.write(
          `leases ${JSON.stringify(leases.rows)}\nactivity ${JSON.stringify(activity.rows)}\n`,
        );
        await client.end();
      }
    }
    return [
      { name: `${prefix}.intake_rps`, value: round(intake.rps), unit: "req/s" },
      { name: `${prefix}.intake_p99_ms`, value: round(intake.p99), unit: "ms" },
      { name: `${prefix}.intake_non_202`, value: intake.failures, unit: "requests" },
      {
        name: `${prefix}.jobs_per_s`,
        value: round(completed / ((performance.now() - started) / 1000)),
        unit: "jobs/s",
      },
    ];
  } finally {
    holding = false;
    for (const resolve of release.splice(0)) resolve();
    github.gate = () => {};
    await cluster.stop();
  }
}

/**
 * Three PostgreSQL instances with an empty queue; 40 signals go to the first, whose GitHub requests never
 * get an answer, so it holds its jobs; it is SIGKILLed; the time until every job running at that moment
 * is done (the others' finish at once; the victim's wait for their lease to run out).
 */
async function killAndRecover(input: {
  github: StandInGitHub;
  dir: string;
  leaseMs: number;
}): Promise<Figure> {
  const cluster = await startCluster({ ...input, name: "kill", count: 3, postgres: true });
  try {
    const [victim] = cluster.instances as [BackflowInstance];
    input.github.gate = (r) => (r.instance === victim.name ? new Promise<void>(() => {}) : undefined);
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 40; i++) await send(agent, victim.port, 1_000_000 + i);
    agent.destroy();
    let held: string[] = [];
    const deadline = Date.now() + 30_000;
    while (held.length === 0 && Date.now() < deadline) {
      await sleep(1000);
      held = (await cluster.store.jobs.list({ state: "running" })).map((j) => j.id);
    }
    if (held.length === 0) throw new Error("no job was running when the victim was to be killed");
    const killed = performance.now();
    await victim.stop("SIGKILL");
    while (true) {
      const done = new Set((await cluster.store.jobs.list({ state: "done" })).map((j) => j.id));
      if (held.every((id) => done.has(id))) break;
      if (performance.now() - killed > 120_000)
        throw new Error("the victim's jobs were not finished elsewhere");
      await sleep(50);
    }
    return {
      name: "instances.postgres_3.sigkill_to_jobs_done_ms",
      value: Math.round(performance.now() - killed),
      unit: "ms",
    };
  } finally {
    input.github.gate = () => {};
    await cluster.stop();
  }
}

/** Runs every setup in one go and returns its figures. */
export async function instancesBench(env: NodeJS.ProcessEnv = process.env): Promise<Figure[]> {
  const seconds = Number(env.BENCH_INSTANCES_SECONDS ?? 10);
  const concurrency = Number(env.BENCH_INSTANCES_CONCURRENCY ?? 32);
  const leaseMs = Number(env.BENCH_INSTANCES_LEASE_MS ?? 5000);
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
  mockInstallationToken();
  fakeGitHub({ config: CONFIG });
  // Jobs that start from a repository name (signal triage) look its installation up first.
  githubApi({ persist: true }).get(`/repos/${FULL_NAME}/installation`).reply(200, { id: 1 });
  const dir = mkdtempSync(join(tmpdir(), "backflow-instances-bench-"));
  writeFileSync(
    join(dir, "sources.json"),
    JSON.stringify({ sources: [{ id: "bench", secrets: [SECRET], repos: [FULL_NAME] }] }),
  );
  const github = startStandInGitHub();
  const figures: Figure[] = [
    { name: "instances.lease_ms", value: leaseMs, unit: "ms" },
    { name: "instances.load_concurrency", value: concurrency, unit: "senders" },
  ];
  try {
    // BENCH_INSTANCES_ONLY=postgres_3 (or kill) runs one part.
    const only = env.BENCH_INSTANCES_ONLY;
    for (const setup of SETUPS.filter((s) => !only || s.name === only))
      figures.push(...(await intakeAndJobs({ env, setup, github, dir, seconds, concurrency, leaseMs })));
    if (!only || only === "kill") figures.push(await killAndRecover({ github, dir, leaseMs }));
  } finally {
    await github.close();
    rmSync(dir, { recursive: true, force: true });
    nock.cleanAll();
    nock.enableNetConnect();
  }
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const figure of await instancesBench()) console.log(JSON.stringify(figure));
  process.exit(0);
}
