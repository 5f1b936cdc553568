/**
 * The backends the store contract suite runs against. `describe.each(BACKENDS)` + `useStore(backend)`
 * give each test an empty store: SQLite in memory (a new one per test); PostgreSQL in a database of
 * the test file's own (created from test/helpers/postgres.ts, migrated once, every table emptied
 * before each test, dropped after the file), so files run in parallel.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { openStore } from "../../../src/store/open-store.js";
import type { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/postgres.js";
import { tempDbPath } from "../temp-db.js";

export type Backend = { readonly name: Store["backend"] };

export const BACKENDS: readonly Backend[] = [{ name: "sqlite" }, { name: "postgres" }];

/** Tables that record a schema's version: emptying them would make the next open migrate again. */
const KEEP = /(^|_)(schema|migrations?|version)$/;

/** Empties every table of the database (any schema the app or its queue created), keeping version tables. */
export async function emptyPostgres(store: PostgresStore): Promise<void> {
  const { rows } = await store.db.query<{ name: string; table: string }>(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name, tablename AS table FROM pg_tables
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
  );
  const tables = rows.filter((r) => !KEEP.test(r.table)).map((r) => r.name);
  // DELETE, not TRUNCATE: a test's few rows go faster than TRUNCATE's new files and locks.
  if (tables.length > 0) await store.db.query(tables.map((t) => `DELETE FROM ${t};`).join("\n"));
}

export type StoreHandle = {
  /** The store of the running test. */
  readonly store: Store;
  /** PostgreSQL only: the URL of the test file's database (to open a second store on it). */
  readonly url: string | undefined;
};

/** Registers the hooks that give every test of the enclosing describe an empty store of `backend`. */
export function useStore(backend: Backend): StoreHandle {
  let store: Store | undefined;
  let database: TestDatabase | undefined;
  if (backend.name === "postgres") {
    beforeAll(async () => {
      database = await createTestDatabase();
      store = await openStore(database.url);
    }, 60_000);
    beforeEach(async () => {
      await emptyPostgres(store as PostgresStore);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    }, 60_000);
  } else {
    beforeEach(() => {
      store = openSqliteStore(":memory:");
    });
    afterEach(async () => {
      await store?.close();
    });
  }
  return {
    get store(): Store {
      if (!store) throw new Error("the store is opened by the suite's hooks; use it inside a test");
      return store;
    },
    get url() {
      return database?.url;
    },
  };
}

/**
 * Two stores on one database, as two app instances: for PostgreSQL the test's store and a second
 * pool on its database; for SQLite two connections to one new file. For races the backend must
 * decide. `close` closes what it opened (and removes the SQLite file).
 */
export async function twoInstances(
  backend: Backend,
  handle: StoreHandle,
): Promise<{ a: Store; b: Store; close(): Promise<void> }> {
  if (backend.name === "postgres") {
    const a = handle.store;
    const b = await openStore(handle.url);
    return { a, b, close: () => b.close() };
  }
  const db = tempDbPath();
  const a = openSqliteStore(db.path);
  const b = openSqliteStore(db.path);
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      db.cleanup();
    },
  };
}
