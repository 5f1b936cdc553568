/**
 * Webhook answer time while GitHub is slow, and the event loop while a big lineage is built.
 *
 * The real server (startServer with the job registry's worker, as `npm start` runs it) receives signed
 * `pull_request.opened` deliveries (GitHub's example payload, a fresh head SHA each) from
 * BENCH_WEBHOOK_SENDERS closed-loop senders, while a stand-in GitHub on loopback (GHE_HOST style
 * `/api/v3`) delays EVERY answer by 2–10 s (seeded, BENCH_SEED). Phase 1 measures the answers while the
 * worker's impact-check jobs wait on that GitHub; phase 2 repeats it while a cold BENCH_MODELS-model
 * impact analysis runs on the analysis pool, and records the event loop's delay (perf_hooks) meanwhile.
 *
 *   npx tsx bench/webhook-latency.bench.ts        (or: npm run bench -- webhook-latency)
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pino } from "pino";
import type { Probot } from "probot";
import { parseConfig } from "../src/core/config/parse-config.js";
import { installationOctokits } from "../src/github/jobs/installation-octokit.js";
import { closeSharedAnalysisPool, sharedAnalysisPool } from "../src/jobs/analysis-pool.js";
import { JOB_REGISTRY, workerJobsOf } from "../src/jobs/job-registry.js";
import { readWorkerEnv } from "../src/jobs/read-worker-env.js";
import { startServer } from "../src/server/start-server.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { loadPayload } from "../test/helpers/payloads.js";
import { signedWebhookHeaders, testServerSettings } from "../test/helpers/server-settings.js";
import type { Figure } from "./figure.js";
import { syntheticRepo } from "./synthetic-repo.js";

const DELIVERIES = Number(process.env.BENCH_WEBHOOKS ?? 300);
const SENDERS = Number(process.env.BENCH_WEBHOOK_SENDERS ?? 4);
/** Deliveries per second while the lineage is built (paced, not closed-loop): a busy installation's rate. */
const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 20);
const MODELS = Number(process.env.BENCH_MODELS ?? 10_000);
const SEED = Number(process.env.BENCH_SEED ?? 11);
const MIN_DELAY_MS = 2_000;
const MAX_DELAY_MS = 10_000;

/** mulberry32: a small seeded generator, so a run's delays can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A GitHub that answers everything late: an installation token (so jobs get as far as their first
 * API call), 404 for the rest. Counts what it was asked.
 */
async function slowGitHub(
  seed: number,
): Promise<{ baseUrl: string; requests: () => number; close(): Promise<void> }> {
  const random = seeded(seed);
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const delay = MIN_DELAY_MS + random() * (MAX_DELAY_MS - MIN_DELAY_MS);
    req.resume();
    setTimeout(() => {
      if (res.destroyed) return;
      const token = req.method === "POST" && /\/app\/installations\/\d+\/access_tokens$/.test(req.url ?? "");
      res.writeHead(token ? 201 : 404, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          token
            ? { token: "ghs_bench", expires_at: "2999-01-01T00:00:00Z", permissions: {} }
            : { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" },
        ),
      );
    }, delay).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v3`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? Number.NaN) * 10) / 10;
}

/** Signed pull_request.opened deliveries, prepared before any timing so the senders only send. */
function deliveries(count: number, first: number): Array<{ body: string; headers: Record<string, string> }> {
  return Array.from({ length: count }, (_, i) => {
    const body = JSON.stringify(
      loadPayload("pull_request", {
        action: "opened",
        overrides: {
          number: first + i,
          pull_request: { number: first + i, head: { sha: randomBytes(20).toString("hex") } },
        },
      }),
    );
    return { body, headers: signedWebhookHeaders(body) };
  });
}

/**
 * Sends the deliveries from SENDERS closed loops, or, with `until`, at about `rate` per second until
 * it settles (repeating the deliveries once all were sent); returns each answer's time in ms and the
 * statuses not 2xx.
 */
async function sendWebhooks(
  url: string,
  batch: ReadonlyArray<{ body: string; headers: Record<string, string> }>,
  paced?: { until: Promise<unknown>; rate: number },
): Promise<{ ms: number[]; failed: number[] }> {
  const ms: number[] = [];
  const failed: number[] = [];
  let next = 0;
  let settled = paced === undefined;
  void paced?.until.finally(() => {
    settled = true;
  });
  const more = (i: number) => (settled ? i < batch.length && paced === undefined : true);
  const gapMs = paced ? (1000 * SENDERS) / paced.rate : 0;
  const sender = async () => {
    for (let i = next++; more(i); i = next++) {
      const { body, headers } = batch[i % batch.length] ?? { body: "", headers: {} };
      const started = performance.now();
      const answer = await fetch(url, { method: "POST", headers, body });
      await answer.arrayBuffer();
      const took = performance.now() - started;
      ms.push(took);
      if (answer.status >= 300) failed.push(answer.status);
      if (gapMs > took) await new Promise((resolve) => setTimeout(resolve, gapMs - took));
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return { ms: ms.sort((a, b) => a - b), failed };
}

export async function webhookLatencyBench(): Promise<Figure[]> {
  const github = await slowGitHub(SEED);
  const store = openSqliteStore(":memory:");
  const clock = () => new Date();
  const log = pino({ level: "silent" });
  let loaded: (probot: Probot) => void = () => {};
  const probot = new Promise<Probot>((resolve) => {
    loaded = resolve;
  });
  const octokitFor = installationOctokits(() => probot);
  const deps = { store, clock };
  const running = await startServer({
    settings: await testServerSettings({ githubBaseUrl: github.baseUrl }),
    store,
    log,
    clock,
    jobs: workerJobsOf(JOB_REGISTRY, { deps, log, octokitFor }),
    // A short grace: at the end, jobs still waiting on the slow GitHub are released, not awaited.
    workerSettings: readWorkerEnv({ BACKFLOW_SHUTDOWN_GRACE_MS: "500" }),
    installations: octokitFor,
  });
  loaded(running.probot);
  const url = `${running.url}/api/github/webhooks`;
  try {
    const [warmUp, first, second] = [
      deliveries(SENDERS * 2, 1_000_000),
      deliveries(DELIVERIES, 1),
      deliveries(DELIVERIES, 2_000_000),
    ];
    const warm = await sendWebhooks(url, warmUp); // the first requests load Probot's code paths
    const slow = await sendWebhooks(url, first);
    const queued = (await store.jobs.list({ kind: "impact-check" })).length;

    // The event loop with the worker busy on the slow GitHub, no webhooks and no build: the baseline.
    const config = parseConfig("dialect: postgres\n");
    const files = syntheticRepo(MODELS);
    const pool = sharedAnalysisPool();
    await pool.warm();
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    idle.disable();

    // Phase 2: webhooks for as long as a cold impact analysis of MODELS models runs on the pool
    // (deliveries repeat once all were sent: a redelivery is answered like a new one).
    // First the build alone (the loop serves only the worker), then again with webhooks arriving.
    const buildAlone = monitorEventLoopDelay({ resolution: 10 });
    buildAlone.enable();
    let started = performance.now();
    await pool.analyzeImpact({ base: { files }, head: { files }, config });
    const aloneMs = Math.round(performance.now() - started);
    buildAlone.disable();
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    started = performance.now();
    let buildMs = 0;
    const build = pool.analyzeImpact({ base: { files }, head: { files }, config }).then(() => {
      buildMs = Math.round(performance.now() - started);
    });
    const sendStarted = performance.now();
    const during = await sendWebhooks(url, second, { until: build, rate: RATE });
    const sendSeconds = (performance.now() - sendStarted) / 1000;
    await build;
    histogram.disable();
    const loopMs = (ns: number) => Math.round(ns / 1e5) / 10;
    const detail = `stand-in GitHub delays every answer ${MIN_DELAY_MS / 1000}-${MAX_DELAY_MS / 1000} s (seed ${SEED}), ${SENDERS} senders`;
    return [
      { name: "webhook_answer_p50_github_slow", value: percentile(slow.ms, 50), unit: `ms (${detail})` },
      { name: "webhook_answer_p99_github_slow", value: percentile(slow.ms, 99), unit: "ms" },
      { name: "webhook_answer_max_github_slow", value: percentile(slow.ms, 100), unit: "ms" },
      {
        name: "webhook_deliveries_not_2xx",
        value: warm.failed.length + slow.failed.length + during.failed.length,
        unit: `deliveries (statuses: ${[...warm.failed, ...slow.failed, ...during.failed].join(",") || "none"})`,
      },
      {
        name: "webhook_impact_jobs_queued",
        value: queued,
        unit: `jobs (of ${DELIVERIES + SENDERS * 2} deliveries)`,
      },
      {
        name: "github_requests_started_meanwhile",
        value: github.requests(),
        unit: "requests (each answered 2-10 s later)",
      },
      {
        name: `webhook_answer_p50_during_pooled_lineage_${MODELS}_models`,
        value: percentile(during.ms, 50),
        unit: "ms",
      },
      {
        name: `webhook_answer_p99_during_pooled_lineage_${MODELS}_models`,
        value: percentile(during.ms, 99),
        unit: "ms",
      },
      {
        name: "event_loop_delay_p99_baseline_worker_waiting_on_github",
        value: loopMs(idle.percentile(99)),
        unit: "ms (no build, no webhooks)",
      },
      {
        name: `event_loop_delay_p99_during_pooled_lineage_${MODELS}_models`,
        value: loopMs(buildAlone.percentile(99)),
        unit: "ms (build on the analysis pool, no webhooks)",
      },
      {
        name: `event_loop_delay_max_during_pooled_lineage_${MODELS}_models`,
        value: loopMs(buildAlone.max),
        unit: "ms",
      },
      { name: `pooled_impact_${MODELS}_models_ms`, value: aloneMs, unit: "ms (wall, cold)" },
      {
        name: "webhook_answers_per_second_during_pooled_lineage",
        value: Math.round((during.ms.length / sendSeconds) * 10) / 10,
        unit: `deliveries/s (paced at ${RATE}/s)`,
      },
      {
        name: `webhook_answers_during_pooled_lineage_${MODELS}_models`,
        value: during.ms.length,
        unit: "deliveries",
      },
      {
        name: `event_loop_delay_p99_during_pooled_lineage_${MODELS}_models_with_webhooks`,
        value: loopMs(histogram.percentile(99)),
        unit: "ms",
      },
      {
        name: `event_loop_delay_max_during_pooled_lineage_${MODELS}_models_with_webhooks`,
        value: loopMs(histogram.max),
        unit: "ms",
      },
      { name: `pooled_impact_${MODELS}_models_with_webhooks_ms`, value: buildMs, unit: "ms (wall, cold)" },
    ];
  } finally {
    await running.stop();
    await closeSharedAnalysisPool();
    await github.close();
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const figure of await webhookLatencyBench()) process.stdout.write(`${JSON.stringify(figure)}\n`);
}
