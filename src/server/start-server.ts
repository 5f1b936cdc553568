import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { type Logger, Probot, type ProbotOctokit } from "probot";
import type { AppDeps, Clock } from "../github/app-deps.js";
import { createBackflowOctokit } from "../github/backflow-octokit.js";
import { createBackflowApp } from "../index.js";
import { type GitHubBreakers, githubBreakersFor } from "../jobs/github-breakers.js";
import type { WorkerJobs } from "../jobs/job-registry.js";
import type { JobHandler } from "../jobs/queue.js";
import { readWorkerEnv, type WorkerSettings } from "../jobs/read-worker-env.js";
import { createJobWorker, workerIdOf } from "../jobs/start-job-worker.js";
import type { Worker } from "../jobs/worker.js";
import type { Store } from "../store/store.js";
import { type BackflowMetrics, createStoreMetrics } from "./metrics.js";
import { createOpsHandler } from "./ops-routes.js";
import { PROBE_PATHS } from "./quiet-probe-log.js";
import { DEFAULT_HTTP_LIMITS, type HttpLimits, type ServerSettings } from "./read-server-env.js";
import { createWebhookEndpoint } from "./webhook-endpoint.js";

/** A node:http route in Probot's server: returns true when it answered the request. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export type RunningServer = {
  readonly port: number;
  readonly url: string;
  readonly probot: Probot;
  readonly metrics: BackflowMetrics;
  /**
   * Stops claiming jobs, lets running ones finish within the shutdown grace (then releases them to the
   * queue), then stops the HTTP server. The store is the caller's to close.
   */
  stop(): Promise<void>;
};

/**
 * Starts Backflow's HTTP server: the webhook endpoint (size-capped, signature-checked, then Probot's
 * handlers) plus /healthz,
 * /readyz and /metrics on the same port, and the job worker unless `worker: false`.
 * Used by `npm start` (src/main.ts) and by the end-to-end tests.
 */
export async function startServer(input: {
  settings: ServerSettings;
  store: Store;
  log: Logger;
  clock?: Clock;
  /** Tests pass an Octokit with retry and throttling off (and `metrics` it reports to). */
  Octokit?: typeof ProbotOctokit;
  metrics?: BackflowMetrics;
  /** Job kinds the worker runs (see workerJobsOf). With none, no worker starts (it would dead-letter every job). */
  jobs?: WorkerJobs;
  /** Handlers without policies (tests); `jobs` is preferred. */
  jobHandlers?: Readonly<Record<string, JobHandler>>;
  worker?: boolean;
  /** Concurrency, leases, shutdown grace and breaker settings (readWorkerEnv); defaults otherwise. */
  workerSettings?: WorkerSettings;
  /** GitHub's circuit breakers, fed by the Octokit this server creates (pass the same to a test Octokit). */
  breakers?: GitHubBreakers;
  /** More HTTP routes on the same port (e.g. the signal intake), tried before the ops routes. */
  routes?: readonly Handler[];
  /** The jobs' cache of installation ids, which `installation` events invalidate. */
  installations?: AppDeps["installations"];
}): Promise<RunningServer> {
  const { settings, store, log } = input;
  const clock = input.clock ?? (() => new Date());
  const workerSettings = input.workerSettings ?? readWorkerEnv({});
  const breakers =
    input.breakers ??
    githubBreakersFor({ settings: workerSettings, clock, log: log.child({ name: "github-breaker" }) });
  const metrics = input.metrics ?? createStoreMetrics(store, { clock, breakers: breakers.statuses });
  const probot = new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    ...(settings.githubBaseUrl ? { baseUrl: settings.githubBaseUrl } : {}),
    // Probot's throttling keeps its request counters in Redis, so every instance waits on the same limits.
    ...(settings.redisUrl ? { redisConfig: settings.redisUrl } : {}),
    log,
    Octokit: input.Octokit ?? createBackflowOctokit({ metrics, breakers }),
  });
  await probot.load(
    createBackflowApp({
      store,
      clock,
      metrics,
      appId: settings.appId,
      dryRun: settings.dryRun,
      ...(input.installations ? { installations: input.installations } : {}),
    }),
    {
      cwd: process.cwd(),
      addHandler: () => {
        throw new Error("Backflow's server adds its routes itself");
      },
    },
  );
  const limits = settings.limits ?? DEFAULT_HTTP_LIMITS;
  // Set by stop(): /readyz then says 503 so a load balancer stops sending while jobs drain.
  let draining = false;
  const server = await listen({
    handlers: [
      createWebhookEndpoint({
        probot,
        secret: settings.webhookSecret,
        path: settings.webhookPath ?? DEFAULT_WEBHOOK_PATH,
        log: log.child({ name: "webhooks" }),
        maxBytes: limits.maxWebhookBytes,
      }),
      ...(input.routes ?? []),
      createOpsHandler({ store, metrics, notReadyReason: () => (draining ? "shutting down" : undefined) }),
    ],
    limits,
    port: settings.port,
    host: settings.host ?? "localhost",
    log: log.child({ name: "http" }),
  });

  let worker: Worker | undefined;
  const jobs = {
    handlers: { ...input.jobHandlers, ...input.jobs?.handlers },
    kinds: input.jobs?.kinds ?? {},
  };
  if (input.worker !== false && Object.keys(jobs.handlers).length === 0) {
    log.info("no job kinds registered; the job worker is not started");
  } else if (input.worker !== false) {
    worker = createJobWorker({
      store,
      jobs,
      settings: workerSettings,
      log,
      clock,
      workerId: workerIdOf(settings.port),
      metrics,
      breakers,
    });
    worker.start();
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    port: address.port,
    url: `http://${host}:${address.port}`,
    probot,
    metrics,
    async stop() {
      draining = true;
      await worker?.stop();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
    },
  };
}

/** Probot's (and GitHub's documented) webhook path, used when WEBHOOK_PATH is not set. */
export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";

/**
 * A node:http server with Backflow's slow-client limits that tries each handler in turn, answers
 * 404 when none did and 500 (without details) when one threw. One log line per request, without headers.
 * Node itself answers 408 and closes the socket when a client exceeds the header or request timeout.
 */
async function listen(input: {
  handlers: readonly Handler[];
  limits: HttpLimits;
  port: number;
  host: string;
  log: Logger;
}): Promise<HttpServer> {
  const { limits, log } = input;
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  });
  // A socket silent this long (no byte either way) is closed, even mid-request.
  server.setTimeout(limits.idleTimeoutMs * 2, (socket) => socket.destroy());
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    res.once("finish", () => {
      const ms = Math.round(performance.now() - started);
      const path = (req.url ?? "/").split("?")[0];
      // Health probes and metric scrapes arrive every few seconds: at info they would drown the log.
      const level = PROBE_PATHS.has(path ?? "") && res.statusCode < 400 ? "debug" : "info";
      log[level](
        { method: req.method, path, status: res.statusCode, ms },
        `${req.method} ${path} ${res.statusCode}`,
      );
    });
    void route(input.handlers, req, res, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${input.port} is already in use; set PORT to a free port`)
          : error,
      ),
    );
    server.listen({ port: input.port, host: input.host }, resolve);
  });
  return server;
}

async function route(handlers: readonly Handler[], req: IncomingMessage, res: ServerResponse, log: Logger) {
  try {
    for (const handler of handlers) if (await handler(req, res)) return;
    if (!res.headersSent)
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}\n');
  } catch (error) {
    log.error({ err: error, path: (req.url ?? "/").split("?")[0] }, "a route failed");
    if (!res.headersSent)
      res.writeHead(500, { "content-type": "application/json" }).end('{"error":"internal error"}\n');
    else res.destroy();
  }
}
