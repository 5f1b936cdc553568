import type { Store } from "../store.js";
import { StoreError } from "../store-errors.js";
import { createPgAnnotationStore } from "./annotations-store.js";
import { applyPgMigrations } from "./apply-migrations.js";
import { createPgAuditStore } from "./audit-store.js";
import { createPgCanaryStore } from "./canaries-store.js";
import { createPgExpectationStore } from "./expectations-store.js";
import { createPgFindingStore } from "./findings-store.js";
import { createPgJobStore, type PgJobStore } from "./jobs-store.js";
import { createPgLeaseStore } from "./leases-store.js";
import { PG_MIGRATIONS, type PgMigration } from "./migrations.js";
import { createPgParseCacheStore } from "./parse-cache-store.js";
import { createPgDb, type PgDb } from "./pg-db.js";
import { createPgRepoStateStore } from "./repo-state-store.js";
import { createPgRetentionStore } from "./retention-store.js";
import { createPgSignalStore } from "./signals-store.js";

export type PostgresStoreOptions = {
  /** Defaults to the shipped schema; tests pass longer or shorter lists. */
  readonly migrations?: readonly PgMigration[];
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing (default 10 s). */
  readonly connectionTimeoutMs?: number;
  /** Told about errors of idle pooled connections (the server restarted); they never end the process. */
  readonly onIdleError?: (error: Error) => void;
};

/** A PostgreSQL-backed store that also exposes its pool, for sub-stores other features add. */
export type PostgresStore = Store & {
  readonly backend: "postgres";
  readonly db: PgDb;
  readonly jobs: PgJobStore;
};

/** The URL as it may appear in messages and logs: without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the PostgreSQL database in DATABASE_URL";
  }
}

/** What to tell the user when the first connection or the migrations fail. */
export function describePgOpenFailure(location: string, error: unknown): Error {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown })?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const advice: Record<string, string> = {
    ECONNREFUSED:
      "nothing accepts connections there: check the host and port, and that PostgreSQL is running",
    ENOTFOUND: "the host name does not resolve: check the host in DATABASE_URL",
    ETIMEDOUT: "the server did not answer in time: check the host, port and firewall",
    "28P01": "the password was refused: check the user and password in DATABASE_URL",
    "28000": "the server refused this user or client address: check pg_hba.conf and the user in DATABASE_URL",
    "3D000": "the database does not exist: create it (createdb <name>) or fix its name in DATABASE_URL",
    "42501":
      "the user may not create tables: grant it CREATE on the database's schema, or run `backflow migrate` as its owner",
    "53300": "the server has no free connection slots: lower the pool size or raise max_connections",
  };
  const hint = typeof code === "string" ? advice[code] : undefined;
  return new StoreError(
    `cannot open the Backflow database at ${location}: ${hint ?? reason}${hint ? ` (PostgreSQL said: ${reason})` : ""}.`,
  );
}

/**
 * Connects to PostgreSQL, migrates the schema (under an advisory lock: instances starting together
 * migrate once) and returns the store. Any failure closes the pool and becomes a StoreError naming
 * the database (without its password) and what to do.
 * @example const store = await openPostgresStore("postgres://backflow@db:5432/backflow");
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const location = redactUrl(url);
  const db = createPgDb(url, {
    ...(options.poolSize === undefined ? {} : { max: options.poolSize }),
    ...(options.connectionTimeoutMs === undefined
      ? {}
      : { connectionTimeoutMs: options.connectionTimeoutMs }),
    ...(options.onIdleError === undefined ? {} : { onIdleError: options.onIdleError }),
  });
  try {
    await applyPgMigrations({
      db,
      migrations: options.migrations ?? PG_MIGRATIONS,
      location,
      now: new Date(),
    });
  } catch (error) {
    await db.pool.end().catch(() => undefined);
    throw describePgOpenFailure(location, error);
  }
  const jobs = createPgJobStore(db);
  // Hooks of the queue: installing its own schema (after ours, before the store is used), pruning its finished jobs.
  const queue = jobs as PgJobStore & {
    ready?: () => Promise<void>;
    pruneFinished?: (before: Date) => Promise<number>;
  };
  try {
    await queue.ready?.();
  } catch (error) {
    await db.pool.end().catch(() => undefined);
    throw describePgOpenFailure(location, error);
  }
  const pruneJobs = async (before: Date) => (queue.pruneFinished ? queue.pruneFinished(before) : 0);
  let closed: Promise<void> | undefined;
  return {
    backend: "postgres",
    db,
    jobs,
    leases: createPgLeaseStore(db),
    audit: createPgAuditStore(db),
    parseCache: createPgParseCacheStore(db),
    repoState: createPgRepoStateStore(db),
    signals: createPgSignalStore(db, (client, input) => jobs.enqueueWith(client, input)),
    findings: createPgFindingStore(db),
    annotations: createPgAnnotationStore(db),
    expectations: createPgExpectationStore(db),
    canaries: createPgCanaryStore(db),
    retention: createPgRetentionStore(db, pruneJobs),
    async ping() {
      await db.query({ name: "bf_ping", text: "SELECT 1" });
    },
    close() {
      closed ??= db.pool.end();
      return closed;
    },
  };
}
