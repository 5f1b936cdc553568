#!/usr/bin/env node
import { type Logger, pino } from "pino";
import type { Probot } from "probot";
import { BackflowError } from "./core/errors.js";
import { refreshDashboardHandler } from "./github/dashboard/refresh-dashboard-handler.js";
import { autoMergeRevertHandler } from "./github/expectations/auto-merge-revert-handler.js";
import { expectationDeadlineHandler } from "./github/expectations/expectation-deadline-handler.js";
import { installationOctokits } from "./github/jobs/installation-octokit.js";
import { triageDeliveryHandler } from "./github/jobs/triage-delivery-handler.js";
import { openProposalHandler } from "./github/proposals/open-proposal-handler.js";
import { pruneStoreHandler, schedulePrune } from "./jobs/prune-store-job.js";
import { MissingCredentialsError, readServerEnv } from "./server/read-server-env.js";
import { createSignalIntake } from "./server/signals/intake-handler.js";
import { recoverPendingDeliveries } from "./server/signals/recover-pending.js";
import { loadSignalSources } from "./server/signals/sources-config.js";
import { startServer } from "./server/start-server.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/store.js";

/** The signal intake routes when BACKFLOW_SIGNAL_SOURCES names a sources file; none otherwise. */
async function signalRoutes(input: { store: Store; clock: () => Date; log: Logger }) {
  const sources = await loadSignalSources(process.env);
  if (!sources) return [];
  // Deliveries acknowledged before a crash still need their triage job.
  const recovered = await recoverPendingDeliveries({ store: input.store, now: input.clock() });
  if (recovered.requeued > 0) input.log.info(recovered, "re-queued triage of pending signal deliveries");
  return [
    createSignalIntake({
      store: input.store,
      sources,
      clock: input.clock,
      log: input.log.child({ name: "signals" }),
    }),
  ];
}

/** `npm start`: check the environment, open the store, serve webhooks and ops routes until signalled. */
async function main(): Promise<void> {
  const settings = readServerEnv(process.env);
  const log = pino({ level: settings.logLevel, name: "backflow" });
  const store = openStore(settings.databaseUrl);
  const clock = () => new Date();
  const routes = await signalRoutes({ store, clock, log });
  // Jobs authenticate through the app the server loads; they wait for it rather than race it.
  let probotLoaded: (probot: Probot) => void = () => {};
  const probot = new Promise<Probot>((resolve) => {
    probotLoaded = resolve;
  });
  const jobDeps = { store, clock, dryRun: settings.dryRun };
  const octokitFor = installationOctokits(() => probot);
  const jobHandlers = Object.fromEntries(
    (
      [
        ["proposals", openProposalHandler],
        ["triage", triageDeliveryHandler],
        ["dashboard", refreshDashboardHandler],
        ["rollback", autoMergeRevertHandler],
        ["expectations", expectationDeadlineHandler],
      ] as const
    )
      .map(([name, handler]) => handler({ deps: jobDeps, log: log.child({ name }), octokitFor }))
      .concat([pruneStoreHandler({ store, clock, log: log.child({ name: "retention" }) })]),
  );
  await schedulePrune({ store, retentionDays: settings.retentionDays, now: clock() });
  const running = await startServer({ settings, store, log, clock, routes, jobHandlers });
  probotLoaded(running.probot);
  log.info({ url: running.url, signalApi: routes.length > 0 }, "Backflow is listening");
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await running.stop();
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
