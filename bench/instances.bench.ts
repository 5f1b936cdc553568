/**
 * Backflow on several instances, with real `npm start` processes (src/main.ts through tsx):
 *  - signal intake req/s and p99 with 1 instance on SQLite, 1 on PostgreSQL and 3 on PostgreSQL, under the
 *    same closed-loop load (BENCH_INSTANCES_CONCURRENCY senders for BENCH_INSTANCES_SECONDS, round-robin);
 *  - triage jobs completed per second once GitHub (a stand-in on loopback) answers;
 *  - with 3 instances, the time from SIGKILL of one that holds jobs to those jobs being done elsewhere
 *    (lease BENCH_INSTANCES_LEASE_MS).
 * While intake is measured, the stand-in GitHub holds every request, so the workers sit idle on it.
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

/** Runs one setup: intake under load, then jobs per second, then (3 instances) SIGKILL recovery. */
async function runSetup(input: {
  setup: Setup;
  github: StandInGitHub;
  dir: string;
  seconds: number;
  concurrency: number;
  leaseMs: number;
}): Promise<Figure[]> {
  const { setup, github, dir } = input;
  const database = setup.postgres ? await createTestDatabase() : undefined;
  const url = database?.url ?? join(dir, `${setup.name}.db`);
  const instances: BackflowInstance[] = [];
  let store: Store | undefined;
  const figures: Figure[] = [];
  const prefix = `instances.${setup.name}`;
  try {
    // GitHub holds every request: workers wait on it instead of competing with intake for the CPU.
    const release: Array<() => void> = [];
    let holding = true;
    github.gate = () => (holding ? new Promise<void>((resolve) => release.push(resolve)) : undefined);
    const names = Array.from({ length: setup.instances }, (_, i) => `${setup.name}-${i}`);
    for (const name of names)
      instances.push(
        await startBackflowInstance({
          name,
          env: {
            DATABASE_URL: url,
            GHE_HOST: await github.hostFor(name),
            GHE_PROTOCOL: "http",
            BACKFLOW_SIGNAL_SOURCES: join(dir, "sources.json"),
            BACKFLOW_JOB_LEASE_MS: String(input.leaseMs),
            LOG_LEVEL: "error",
          },
          readyWithinMs: 60_000,
        }),
      );
    store = await openStore(url);
    const ports = instances.map((i) => i.port);
    await closedLoop(ports, 1, input.concurrency);
    const intake = await closedLoop(ports, input.seconds, input.concurrency);
    figures.push(
      { name: `${prefix}.intake_rps`, value: round(intake.rps), unit: "req/s" },
      { name: `${prefix}.intake_p99_ms`, value: round(intake.p99), unit: "ms" },
      { name: `${prefix}.intake_non_202`, value: intake.failures, unit: "requests" },
    );

    // GitHub answers again: triage jobs complete; measured over a window once they are flowing.
    holding = false;
    for (const resolve of release.splice(0)) resolve();
    await sleep(2000);
    const before = await doneJobs(store);
    const started = performance.now();
    await sleep(10_000);
    const completed = (await doneJobs(store)) - before;
    if (process.env.BENCH_INSTANCES_DEBUG) {
      const jobs = await store.jobs.list({});
      const states: Record<string, number> = {};
      for (const job of jobs) states[job.state] = (states[job.state] ?? 0) + 1;
      process.stderr.write(`${JSON.stringify(states)} ${jobs.find((j) => j.lastError)?.lastError}\n`);
      process.stderr.write(
        `${github.seen().slice(-20).join("\n")}\n${instances[0]?.output().slice(-3000)}\n`,
      );
    }
    figures.push({
      name: `${prefix}.jobs_per_s`,
      value: round(completed / ((performance.now() - started) / 1000)),
      unit: "jobs/s",
    });

    if (setup.instances > 1)
      figures.push(await killAndRecover({ github, instances, store, prefix, release }));
  } finally {
    github.gate = () => {};
    await Promise.all(instances.map((i) => i.stop("SIGKILL")));
    await store?.close();
    await database?.drop();
  }
  return figures;

  /** SIGKILLs the first instance while it holds jobs; the time until another instance finished them. */
  async function killAndRecover(ctx: {
    github: StandInGitHub;
    instances: BackflowInstance[];
    store: Store;
    prefix: string;
    release: Array<() => void>;
  }): Promise<Figure> {
    const [victim] = ctx.instances as [BackflowInstance];
    ctx.github.gate = (r) => (r.instance === victim.name ? new Promise<void>(() => {}) : undefined);
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 40; i++) await send(agent, victim.port, 1_000_000 + i);
    agent.destroy();
    const pid = `:${victim.process.pid}:`;
    let held: string[] = [];
    const deadline = Date.now() + 30_000;
    while (held.length === 0 && Date.now() < deadline) {
      await sleep(100);
      held = (await ctx.store.jobs.list({ state: "running" }))
        .filter((j) => j.leaseOwner?.includes(pid))
        .map((j) => j.id);
    }
    if (held.length === 0) throw new Error("the victim never held a job");
    const killed = performance.now();
    await victim.stop("SIGKILL");
    while (true) {
      const done = new Set((await ctx.store.jobs.list({ state: "done" })).map((j) => j.id));
      if (held.every((id) => done.has(id))) break;
      if (performance.now() - killed > 120_000)
        throw new Error("the victim's jobs were not finished elsewhere");
      await sleep(50);
    }
    return {
      name: `${ctx.prefix}.sigkill_to_jobs_done_ms`,
      value: Math.round(performance.now() - killed),
      unit: "ms",
    };
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
    // BENCH_INSTANCES_ONLY=postgres_3 runs one setup.
    for (const setup of SETUPS.filter(
      (s) => !env.BENCH_INSTANCES_ONLY || s.name === env.BENCH_INSTANCES_ONLY,
    ))
      figures.push(...(await runSetup({ setup, github, dir, seconds, concurrency, leaseMs })));
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
