import type { IncomingMessage, ServerResponse } from "node:http";
import { hostname } from "node:os";
import { type Logger, Probot, type ProbotOctokit, Server } from "probot";
import type { Clock } from "../github/app-deps.js";
import { createBackflowOctokit } from "../github/backflow-octokit.js";
import { createBackflowApp } from "../index.js";
import type { JobHandler } from "../jobs/queue.js";
import { createWorker, type Worker } from "../jobs/worker.js";
import type { Store } from "../store/store.js";
import { instrumentJobHandlers } from "./instrument-job-handlers.js";
import { type BackflowMetrics, createStoreMetrics } from "./metrics.js";
import { createOpsHandler } from "./ops-routes.js";
import type { ServerSettings } from "./read-server-env.js";

/** A node:http route in Probot's server: returns true when it answered the request. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export type RunningServer = {
  readonly port: number;
  readonly url: string;
  readonly probot: Probot;
  readonly metrics: BackflowMetrics;
  /** Stops the worker (finishing its job), then the HTTP server. The store is the caller's to close. */
  stop(): Promise<void>;
};

/**
 * Starts Backflow's HTTP server: Probot's webhook endpoint (signature-checked) plus /healthz,
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
  /** Job kinds the worker runs. With none, no worker starts (it would dead-letter every job). */
  jobHandlers?: Readonly<Record<string, JobHandler>>;
  worker?: boolean;
  /** More HTTP routes on the same port (e.g. the signal intake), tried before the ops routes. */
  routes?: readonly Handler[];
}): Promise<RunningServer> {
  const { settings, store, log } = input;
  const clock = input.clock ?? (() => new Date());
  const metrics = input.metrics ?? createStoreMetrics(store);
  const server = new Server({
    Probot: Probot.defaults({
      appId: settings.appId,
      privateKey: settings.privateKey,
      secret: settings.webhookSecret,
      log,
      Octokit: input.Octokit ?? createBackflowOctokit({ metrics }),
    }),
    log,
    port: settings.port,
    host: settings.host,
    webhookPath: settings.webhookPath,
    enableStaticFiles: false,
  });
  let probot: Probot | undefined;
  const app = createBackflowApp({ store, clock, metrics, appId: settings.appId, dryRun: settings.dryRun });
  await server.load(async (loaded, options) => {
    probot = loaded;
    await app(loaded, options);
  });
  for (const route of input.routes ?? []) server.addHandler(route);
  server.addHandler(createOpsHandler({ store, metrics }));
  await server.start();
  if (!probot) throw new Error("Probot did not load the Backflow app");

  let worker: Worker | undefined;
  const jobHandlers = input.jobHandlers ?? {};
  if (input.worker !== false && Object.keys(jobHandlers).length === 0) {
    log.info("no job kinds registered; the job worker is not started");
  } else if (input.worker !== false) {
    worker = createWorker({
      store,
      handlers: instrumentJobHandlers(jobHandlers, metrics),
      workerId: `${hostname()}:${process.pid}:${settings.port}`,
      clock,
      log: log.child({ name: "worker" }),
    });
    worker.start();
  }
  const host = server.host.includes(":") && !server.host.startsWith("[") ? `[${server.host}]` : server.host;
  return {
    port: server.port,
    url: `http://${host}:${server.port}`,
    probot,
    metrics,
    async stop() {
      await worker?.stop();
      await server.stop();
    },
  };
}
