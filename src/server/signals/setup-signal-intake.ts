import type { IncomingMessage, ServerResponse } from "node:http";
import type { Store } from "../../store/store.js";
import { type AcceptedDelivery, createSignalIntake, type IntakeLog } from "./intake-handler.js";
import { recoverPendingDeliveries } from "./recover-pending.js";
import { loadSignalSources, SIGNAL_SOURCES_ENV, watchSignalSources } from "./sources-config.js";

/**
 * Start-up wiring of the signal API: loads the sources file named by BACKFLOW_SIGNAL_SOURCES,
 * re-enqueues deliveries a previous process left pending, watches the file (reloaded on change or
 * SIGHUP), and returns the intake handler to add to
 * the HTTP server — or null when the variable is unset (the signal API is off).
 * Throws ConfigError when the sources file is invalid, so a bad file stops the start.
 *
 * @example const intake = await setupSignalIntake({ env: process.env, store, clock, log });
 *          if (intake) server.addHandler(intake);
 */
export async function setupSignalIntake(input: {
  env: NodeJS.ProcessEnv;
  store: Pick<Store, "signals" | "jobs">;
  clock: () => Date;
  log: IntakeLog;
  onAccepted?: (accepted: AcceptedDelivery) => void;
}): Promise<((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | null> {
  const { env, store, clock, log } = input;
  const sources = await loadSignalSources(env);
  if (!sources) {
    log.info({}, `signal API off: set ${SIGNAL_SOURCES_ENV} to a sources file to accept signals`);
    return null;
  }
  const recovered = await recoverPendingDeliveries({ store, now: clock() });
  log.info(
    { sources: sources.sources.map((s) => s.id), ...recovered },
    "signal API on: POST /signals, /api/v1/lineage, /alertmanager",
  );
  // Re-read on change or SIGHUP; a new file that does not validate is logged and the old one kept.
  const watched = watchSignalSources({ file: env[SIGNAL_SOURCES_ENV] ?? "", initial: sources, log });
  return createSignalIntake({ store, sources: watched, clock, log, onAccepted: input.onAccepted });
}
