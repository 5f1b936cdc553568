import { ConfigError } from "../core/errors.js";
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
  if (scheme === "postgres" || scheme === "postgresql") {
    throw urlProblem(
      "the PostgreSQL store is not available yet. Set DATABASE_URL to a SQLite file path " +
        `(for example ${DEFAULT_DATABASE_PATH} or sqlite:///var/lib/backflow/backflow.db), or leave it unset.`,
    );
  }
  if (scheme !== "file" && scheme !== "sqlite") {
    throw urlProblem(
      `unsupported scheme "${scheme}:". Use a SQLite file path such as ${DEFAULT_DATABASE_PATH}, file:<path> or sqlite:<path>.`,
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

/**
 * Opens the store that DATABASE_URL names (SQLite only for now), creating and migrating it if needed.
 * @example const store = openStore(process.env.DATABASE_URL);
 */
export function openStore(databaseUrl: string | undefined, options: SqliteStoreOptions = {}): Store {
  return openSqliteStore(resolveSqlitePath(databaseUrl), options);
}
