#!/usr/bin/env node
import type { Logger } from "pino";
import type { Probot } from "probot";
import { BackflowError } from "./core/errors.js";
import { installationOctokits } from "./github/jobs/installation-octokit.js";
import { closeSharedAnalysisPool } from "./jobs/analysis-pool.js";
import { githubBreakersFor } from "./jobs/github-breakers.js";
import { JOB_REGISTRY, workerJobsOf } from "./jobs/job-registry.js";
import { schedulePrune } from "./jobs/prune-store-job.js";
import { readWorkerEnv } from "./jobs/read-worker-env.js";
import {
  createLogger,
  type SecretRedactor,
  secretsFromEnv,
  signalSourceSecrets,
} from "./server/create-logger.js";
import { countSignalIntake, createStoreMetrics } from "./server/metrics.js";
import { MissingCredentialsError, readServerEnv } from "./server/read-server-env.js";
import { createSignalIntake } from "./server/signals/intake-handler.js";
import { recoverPendingDeliveries } from "./server/signals/recover-pending.js";
import {
  loadSignalSources,
  SIGNAL_SOURCES_ENV,
  watchSignalSources,
} from "./server/signals/sources-config.js";
import { startServer } from "./server/start-server.js";
import { surviveStoreOutage } from "./server/survive-store-outage.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/store.js";

/** The signal intake routes when BACKFLOW_SIGNAL_SOURCES names a sources file; none otherwise. */
async function signalRoutes(input: {
  store: Store;
  clock: () => Date;
  log: Logger;
  redactor: SecretRedactor;
}) {
  const sources = await loadSignalSources(process.env);
  if (!sources) return [];
  input.redactor.add(signalSourceSecrets(sources));
  // Deliveries acknowledged before a crash still need their triage job.
  const recovered = await recoverPendingDeliveries({ store: input.store, now: input.clock() });
  if (recovered.requeued > 0) input.log.info(recovered, "re-queued triage of pending signal deliveries");
  const log = input.log.child({ name: "signals" });
  // Re-read on change or SIGHUP (secret rotation without a restart); a bad new file keeps the old one.
  const watched = watchSignalSources({
    file: process.env[SIGNAL_SOURCES_ENV] ?? "",
    initial: sources,
    log,
    onReload: (next) => input.redactor.add(signalSourceSecrets(next)),
  });
  return [createSignalIntake({ store: input.store, sources: watched, clock: input.clock, log })];
}

/** `npm start`: check the environment, open the store, serve webhooks and ops routes until signalled. */
async function main(): Promise<void> {
  const settings = readServerEnv(process.env);
  // Every log line is redacted: credential headers by name, configured secrets by value.
  const { log, redactor } = createLogger({
    level: settings.logLevel,
    secrets: [...secretsFromEnv(process.env), settings.webhookSecret, settings.privateKey],
  });
  const workerSettings = readWorkerEnv(process.env);
  surviveStoreOutage(process, log);
  const store = await openStore(settings.databaseUrl, {
    // PostgreSQL: a dropped idle connection is replaced on the next query; say so instead of crashing.
    onIdleError: (error) =>
      log.warn(
        { error: error.message, code: (error as { code?: unknown }).code },
        "lost an idle database connection; the next query reconnects",
      ),
  });
  const clock = () => new Date();
  // One breaker per GitHub host, fed by every request, read by the worker and /metrics.
  const breakers = githubBreakersFor({
    settings: workerSettings,
    clock,
    log: log.child({ name: "github-breaker" }),
  });
  const metrics = createStoreMetrics(store, { clock, breakers: breakers.statuses });
  const routes = (await signalRoutes({ store, clock, log, redactor })).map((route) =>
    countSignalIntake(route, metrics),
  );
  // Jobs authenticate through the app the server loads; they wait for it rather than race it.
  let probotLoaded: (probot: Probot) => void = () => {};
  const probot = new Promise<Probot>((resolve) => {
    probotLoaded = resolve;
  });
  const jobDeps = { store, clock, metrics, dryRun: settings.dryRun };
  const octokitFor = installationOctokits(() => probot, { dryRun: settings.dryRun, log });
  const jobs = workerJobsOf(JOB_REGISTRY, { deps: jobDeps, log, octokitFor });
  await schedulePrune({
    store,
    retentionDays: settings.retentionDays,
    auditRetentionDays: workerSettings.auditRetentionDays,
    now: clock(),
  });
  const running = await startServer({
    settings,
    store,
    log,
    clock,
    routes,
    jobs,
    metrics,
    breakers,
    workerSettings,
    installations: octokitFor,
  });
  probotLoaded(running.probot);
  log.info({ url: running.url, signalApi: routes.length > 0 }, "Backflow is listening");
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await running.stop();
    await closeSharedAnalysisPool();
    await store.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  // Known problems (missing credentials, a bad DATABASE_URL) get their message only, no stack trace.
  if (error instanceof MissingCredentialsError || error instanceof BackflowError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`backflow: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
