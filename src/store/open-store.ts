import { ConfigError } from "../core/errors.js";
import { applyPgMigrations, pgSchemaVersion } from "./postgres/apply-migrations.js";
import { PG_MIGRATIONS } from "./postgres/migrations.js";
import { createPgDb } from "./postgres/pg-db.js";
import {
  describePgOpenFailure,
  openPostgresStore,
  type PostgresStoreOptions,
  redactUrl,
} from "./postgres/postgres-store.js";
import { schemaVersion } from "./sqlite/apply-migrations.js";
import { openSqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/** Where the SQLite file goes when DATABASE_URL is not set. */
export const DEFAULT_DATABASE_PATH = "./backflow.db";

function urlProblem(message: string): ConfigError {
  return new ConfigError("DATABASE_URL", [{ path: "DATABASE_URL", message }]);
}

/**
 * Turns a DATABASE_URL into a SQLite file path.
 * Accepts a plain path, `:memory:`, `file:<path>`, `file:///abs/path`, `sqlite:<path>` and `sqlite:///abs/path`.
 */
export function resolveSqlitePath(databaseUrl: string | undefined): string {
  const url = databaseUrl?.trim() ?? "";
  if (url === "") return DEFAULT_DATABASE_PATH;
  // A one-letter "scheme" is a Windows drive (C:\data\backflow.db), not a URL.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return url;
  if (isPostgresUrl(url)) {
    throw urlProblem(`"${scheme}:" names a PostgreSQL database, not a SQLite file; open it with openStore.`);
  }
  if (scheme !== "file" && scheme !== "sqlite") {
    throw urlProblem(
      `unsupported scheme "${scheme}:". Use postgres://user@host/database for PostgreSQL, or a SQLite file path such as ${DEFAULT_DATABASE_PATH}, file:<path> or sqlite:<path>.`,
    );
  }
  let rest = url.slice(scheme.length + 1).replace(/[?#].*$/, "");
  // `scheme://host/path` — only an empty host or localhost names this machine.
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const host = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    if (host !== "" && host !== "localhost" && host !== ".") {
      throw urlProblem(`"${host}" is a remote host; a SQLite database must be a local file path.`);
    }
    rest = host === "." ? `.${rest.slice(slash)}` : slash === -1 ? "" : rest.slice(slash);
  }
  const path = decodeURIComponent(rest);
  if (path === "" || path === "/") throw urlProblem(`"${url}" names no file; add a path after the scheme.`);
  return path;
}

/** True for `postgres://…` and `postgresql://…` URLs (any letter case). */
export function isPostgresUrl(databaseUrl: string | undefined): boolean {
  return /^postgres(ql)?:\/\//i.test(databaseUrl?.trim() ?? "");
}

export type OpenStoreOptions = SqliteStoreOptions & PostgresStoreOptions;

/**
 * Opens the store that DATABASE_URL names, creating and migrating it if needed: PostgreSQL for
 * `postgres://` and `postgresql://` URLs, otherwise a SQLite file (see resolveSqlitePath).
 * @example const store = await openStore(process.env.DATABASE_URL);
 */
export async function openStore(
  databaseUrl: string | undefined,
  options: OpenStoreOptions = {},
): Promise<Store> {
  if (isPostgresUrl(databaseUrl)) {
    const { migrations: _sqliteOnly, busyTimeoutMs: _unused, ...pgOptions } = options;
    return openPostgresStore((databaseUrl ?? "").trim(), pgOptions);
  }
  const { poolSize: _p, connectionTimeoutMs: _c, onIdleError: _o, ...sqliteOptions } = options;
  return openSqliteStore(resolveSqlitePath(databaseUrl), sqliteOptions);
}

export type MigrateResult = {
  readonly backend: Store["backend"];
  /** The database, as it may be printed (a PostgreSQL URL without its password). */
  readonly location: string;
  readonly version: number;
  /** Versions this run applied (PostgreSQL); null when the backend does not report them (SQLite). */
  readonly applied: number[] | null;
};

/**
 * Migrates the database DATABASE_URL names to this version's schema, as opening it at start-up
 * does, and reports the resulting schema version (`backflow migrate`).
 * @example const { version } = await migrateDatabase(process.env.DATABASE_URL);
 */
export async function migrateDatabase(databaseUrl: string | undefined): Promise<MigrateResult> {
  if (isPostgresUrl(databaseUrl)) {
    const url = (databaseUrl ?? "").trim();
    const location = redactUrl(url);
    const db = createPgDb(url, { max: 1 });
    try {
      const applied = await applyPgMigrations({ db, migrations: PG_MIGRATIONS, location, now: new Date() });
      // Opening the store also installs the queue's own schema, so the first instance starts ready.
      await (await openPostgresStore(url)).close();
      return { backend: "postgres", location, version: await pgSchemaVersion(db), applied };
    } catch (error) {
      throw describePgOpenFailure(location, error);
    } finally {
      await db.pool.end().catch(() => undefined);
    }
  }
  const path = resolveSqlitePath(databaseUrl);
  const store = openSqliteStore(path);
  try {
    return { backend: "sqlite", location: path, version: schemaVersion(store.db), applied: null };
  } finally {
    await store.close();
  }
}
