import { afterEach, describe, expect, it } from "vitest";
import { checkMigrations, schemaVersion } from "../../../src/store/sqlite/apply-migrations.js";
import { MIGRATIONS, type Migration } from "../../../src/store/sqlite/migrations.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { SchemaTooNewError, StoreError } from "../../../src/store/store-errors.js";
import { tempDbPath } from "../temp-db.js";

const extra: Migration = {
  version: MIGRATIONS.length + 1,
  name: "test extra",
  sql: "CREATE TABLE extra (id TEXT)",
};

describe("migrations", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("numbers the shipped migrations 1, 2, 3, … in order", () => {
    expect(() => checkMigrations(MIGRATIONS)).not.toThrow();
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it.each([
    { name: "a gap", versions: [1, 3] },
    { name: "a duplicate", versions: [1, 1] },
    { name: "a wrong order", versions: [2, 1] },
    { name: "a start other than 1", versions: [0, 1] },
  ])("rejects a list with $name", ({ versions }) => {
    const list = versions.map((version) => ({ version, name: `m${version}`, sql: "SELECT 1" }));
    expect(() => checkMigrations(list)).toThrow(StoreError);
  });

  it("creates every table the store needs and records the version", async () => {
    const store = openSqliteStore(":memory:");
    const tables = store.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "audit_log",
        "jobs",
        "leases",
        "parse_cache",
        "repo_state",
        "schema_migrations",
      ]),
    );
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
    await store.close();
  });

  it("applies nothing and keeps the data when a database is reopened", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const first = openSqliteStore(db.path);
    await first.repoState.put({ repo: "a/b", key: "k", value: 1, now: new Date(0) });
    await first.close();

    const second = openSqliteStore(db.path);
    const rows = second.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM schema_migrations").get();
    expect(rows?.n).toBe(MIGRATIONS.length);
    expect(await second.repoState.get({ repo: "a/b", key: "k" })).toBe(1);
    await second.close();
  });

  it("applies only the migrations appended since the database was last opened", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    await openSqliteStore(db.path).close();
    const upgraded = openSqliteStore(db.path, { migrations: [...MIGRATIONS, extra] });
    expect(schemaVersion(upgraded.db)).toBe(extra.version);
    expect(() => upgraded.db.prepare("SELECT id FROM extra").all()).not.toThrow();
    await upgraded.close();
  });

  it("refuses to open a database written by a newer Backflow, and says what to do", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    await openSqliteStore(db.path, { migrations: [...MIGRATIONS, extra] }).close();

    let caught: unknown;
    try {
      openSqliteStore(db.path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaTooNewError);
    expect((caught as SchemaTooNewError).databaseVersion).toBe(extra.version);
    expect((caught as Error).message).toMatch(/Upgrade Backflow/);
  });

  it("sets WAL, a busy timeout, foreign keys and NORMAL sync on a file database", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(store.db.pragma("synchronous", { simple: true })).toBe(1);
    await store.close();
  });

  it("explains a database path whose directory does not exist", () => {
    expect(() => openSqliteStore("/nonexistent-backflow-dir/x/backflow.db")).toThrow(/directory exists/);
  });
});
