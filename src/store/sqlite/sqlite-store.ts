import Database from "better-sqlite3";
import type { Store } from "../store.js";
import { createSqliteAnnotationStore } from "./annotations-store.js";
import { applyMigrations } from "./apply-migrations.js";
import { createSqliteAuditStore } from "./audit-store.js";
import { createSqliteCanaryStore } from "./canaries-store.js";
import { createSqliteExpectationStore } from "./expectations-store.js";
import { createSqliteFindingStore } from "./findings-store.js";
import { createSqliteJobStore } from "./jobs-store.js";
import { createSqliteLeaseStore } from "./leases-store.js";
import { MIGRATIONS, type Migration } from "./migrations.js";
import { describeOpenFailure } from "./open-failure.js";
import { createSqliteParseCacheStore } from "./parse-cache-store.js";
import { createSqliteRepoStateStore } from "./repo-state-store.js";
import { createSqliteRetentionStore } from "./retention-store.js";
import { createSqliteSignalStore } from "./signals-store.js";

export type SqliteStoreOptions = {
  /** Defaults to the shipped schema; tests pass longer or shorter lists. */
  readonly migrations?: readonly Migration[];
  /** How long a writer waits for another process's write lock before failing. */
  readonly busyTimeoutMs?: number;
};

/** A SQLite-backed store that also exposes its connection, for sub-stores other features add. */
export type SqliteStore = Store & { readonly backend: "sqlite"; readonly db: Database.Database };

/**
 * Opens the file, sets the connection up and migrates it. Any failure (not a database, damaged,
 * locked, read-only) closes the connection and becomes a StoreError naming the file and what to do.
 */
function openDatabase(
  path: string,
  busyTimeoutMs: number,
  migrations: readonly Migration[],
): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    // WAL lets readers in other processes see committed writes while one process writes.
    db.pragma("journal_mode = WAL");
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.pragma("foreign_keys = ON");
    db.pragma("synchronous = NORMAL");
    applyMigrations({ db, migrations, location: path, now: new Date() });
    return db;
  } catch (error) {
    if (db?.open) db.close();
    throw describeOpenFailure(path, error, busyTimeoutMs);
  }
}

/**
 * Opens (creating if needed) the SQLite database at `path` and migrates it to the current schema.
 * `":memory:"` gives a private in-memory database for tests.
 * @example const store = openSqliteStore("./backflow.db");
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = openDatabase(path, options.busyTimeoutMs ?? 5000, options.migrations ?? MIGRATIONS);
  const ping = db.prepare("SELECT 1");
  return {
    backend: "sqlite",
    db,
    jobs: createSqliteJobStore(db),
    leases: createSqliteLeaseStore(db),
    audit: createSqliteAuditStore(db),
    parseCache: createSqliteParseCacheStore(db),
    repoState: createSqliteRepoStateStore(db),
    signals: createSqliteSignalStore(db),
    findings: createSqliteFindingStore(db),
    annotations: createSqliteAnnotationStore(db),
    expectations: createSqliteExpectationStore(db),
    canaries: createSqliteCanaryStore(db),
    retention: createSqliteRetentionStore(db),
    async ping() {
      ping.get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
