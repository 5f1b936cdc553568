/**
 * Vitest global setup: when no test PostgreSQL server is configured or answering, start one
 * throwaway server for the whole run and hand its URL to every test process through
 * BACKFLOW_TEST_POSTGRES_URL (test processes are forked after this runs and inherit it).
 */
import { answers, probePort, startEmbeddedPostgres } from "./postgres.js";

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.BACKFLOW_TEST_POSTGRES_URL?.trim()) return undefined;
  if (await answers(`postgres://postgres@127.0.0.1:${probePort()}/postgres`)) return undefined;
  const started = Date.now();
  const server = await startEmbeddedPostgres();
  process.env.BACKFLOW_TEST_POSTGRES_URL = server.url;
  process.stderr.write(
    `[postgres] no server on port ${probePort()}: started embedded PostgreSQL in ${Date.now() - started} ms\n`,
  );
  return async () => {
    delete process.env.BACKFLOW_TEST_POSTGRES_URL;
    await server.stop();
  };
}
