#!/usr/bin/env node
import { pino } from "pino";
import { BackflowError } from "./core/errors.js";
import { MissingCredentialsError, readServerEnv } from "./server/read-server-env.js";
import { startServer } from "./server/start-server.js";
import { openStore } from "./store/open-store.js";

/** `npm start`: check the environment, open the store, serve webhooks and ops routes until signalled. */
async function main(): Promise<void> {
  const settings = readServerEnv(process.env);
  const log = pino({ level: settings.logLevel, name: "backflow" });
  const store = openStore(settings.databaseUrl);
  const running = await startServer({ settings, store, log });
  log.info({ url: running.url }, "Backflow is listening");
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
