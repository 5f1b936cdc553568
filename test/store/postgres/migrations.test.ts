import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../../src/cli/command.js";
import { runCli } from "../../../src/cli/run-cli.js";
import { openStore } from "../../../src/store/open-store.js";
import {
  applyPgMigrations,
  checkPgMigrations,
  PgSchemaTooNewError,
  pgSchemaVersion,
} from "../../../src/store/postgres/apply-migrations.js";
import { PG_MIGRATIONS, type PgMigration } from "../../../src/store/postgres/migrations.js";
import { createPgDb, type PgDb } from "../../../src/store/postgres/pg-db.js";
import { openPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/postgres.js";

let database: TestDatabase;
let db: PgDb;
beforeEach(async () => {
  database = await createTestDatabase();
  db = createPgDb(database.url, { max: 2 });
}, 30_000);
afterEach(async () => {
  await db.pool.end();
  await database.drop();
}, 30_000);

const versions = async () =>
  (await db.query<{ version: number }>("SELECT version FROM backflow_schema ORDER BY version")).rows.map(
    (r) => r.version,
  );

describe("PostgreSQL migrations", () => {
  it("migrates once when several instances start together on a new database", async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => openStore(database.url)));
    await Promise.all(stores.map((s) => s.close()));
    expect(await versions()).toEqual(PG_MIGRATIONS.map((m) => m.version));
    expect(await pgSchemaVersion(db)).toBe(PG_MIGRATIONS.length);
  });

  it("refuses a database a newer Backflow migrated, saying which versions and what to do", async () => {
    await applyPgMigrations({ db, migrations: PG_MIGRATIONS, location: "db", now: new Date() });
    const next = PG_MIGRATIONS.length + 1;
    await db.query(
      "INSERT INTO backflow_schema (version, name, applied_at) VALUES ($1, 'from the future', now())",
      [next],
    );
    const error = await openStore(database.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgSchemaTooNewError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `database schema is version ${next}, this Backflow knows up to ${PG_MIGRATIONS.length} .*: upgrade Backflow.*or point DATABASE_URL at another database`,
      ),
    );
    expect(await versions()).toContain(next);
  });

  it("applies only the migrations a database lacks, and a failing one changes nothing", async () => {
    const first: PgMigration = { version: 1, name: "one", sql: "CREATE TABLE one (id integer)" };
    const second: PgMigration = { version: 2, name: "two", sql: "CREATE TABLE two (id integer)" };
    const broken: PgMigration = {
      version: 3,
      name: "broken",
      sql: "CREATE TABLE three (id integer); SELEC 1",
    };
    expect(await applyPgMigrations({ db, migrations: [first], location: "db", now: new Date() })).toEqual([
      1,
    ]);
    const error = await applyPgMigrations({
      db,
      migrations: [first, second, broken],
      location: "db",
      now: new Date(),
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /migration 3 \("broken"\) failed on db: .*syntax error.*Nothing was changed/,
    );
    expect(await versions()).toEqual([1]);
    const tables = await db.query("SELECT 1 FROM pg_tables WHERE tablename IN ('two', 'three')");
    expect(tables.rowCount).toBe(0);
    expect(
      await applyPgMigrations({ db, migrations: [first, second], location: "db", now: new Date() }),
    ).toEqual([2]);
  });

  it("refuses a list whose versions are not 1, 2, 3, … in order", () => {
    const m = (version: number): PgMigration => ({ version, name: `m${version}`, sql: "SELECT 1" });
    expect(() => checkPgMigrations([m(1), m(3)])).toThrow(/has version 3; expected 2/);
    expect(() => checkPgMigrations([m(2)])).toThrow(/expected 1/);
    expect(() => checkPgMigrations(PG_MIGRATIONS)).not.toThrow();
  });

  it("keeps every migration after the first additive (the rolling-upgrade rule at the top of migrations.ts)", () => {
    const forbidden =
      /\b(DROP|RENAME|TRUNCATE)\b|ALTER\s+COLUMN\s+\w+\s+(TYPE|SET\s+NOT\s+NULL)|\bCONCURRENTLY\b/i;
    for (const migration of PG_MIGRATIONS.slice(1)) {
      expect(migration.sql, `migration ${migration.version} (${migration.name})`).not.toMatch(forbidden);
      // A new NOT NULL column needs a default, or the old version's inserts fail.
      for (const added of migration.sql.matchAll(/ADD\s+COLUMN[^,;]*/gi)) {
        if (/NOT\s+NULL/i.test(added[0]))
          expect(added[0], `migration ${migration.version}`).toMatch(/DEFAULT/i);
      }
    }
  });
});

describe("PostgreSQL connection", () => {
  it("survives the server dropping its idle connections, and the next query reconnects", async () => {
    const idleErrors: Error[] = [];
    const store = await openPostgresStore(database.url, { onIdleError: (e) => idleErrors.push(e) });
    try {
      // Fill the pool with idle connections, then have the server end them all.
      await Promise.all(Array.from({ length: 4 }, () => store.db.query("SELECT pg_sleep(0.05)")));
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(idleErrors.length).toBeGreaterThan(0);
      await expect(store.ping()).resolves.toBeUndefined();
      await store.repoState.put({ repo: "r", key: "k", value: 1, now: new Date() });
      expect(await store.repoState.get({ repo: "r", key: "k" })).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("rolls a failed transaction back whole and gives its connection back to the pool", async () => {
    await applyPgMigrations({ db, migrations: PG_MIGRATIONS, location: "db", now: new Date() });
    const single = createPgDb(database.url, { max: 1 });
    try {
      const failing = single.transaction(async (client) => {
        await client.query("INSERT INTO leases (name, owner, expires_at) VALUES ('n', 'o', now())");
        throw new Error("boom");
      });
      await expect(failing).rejects.toThrow("boom");
      // One connection in the pool: this waits forever if the failed transaction kept it.
      expect((await single.query("SELECT COUNT(*)::int AS n FROM leases")).rows[0]).toEqual({ n: 0 });
    } finally {
      await single.pool.end();
    }
  });
});

describe("backflow migrate", () => {
  const dir = mkdtempSync(join(tmpdir(), "backflow-migrate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const capture = () => {
    let out = "";
    const io: CliIO = { cwd: dir, env: {}, out: (t) => (out += t), err: (t) => (out += t) };
    return { io, text: () => out };
  };

  it("migrates a PostgreSQL database and prints its version, without the password", async () => {
    // A server that trusts local connections ignores a password; one that checks it has one already.
    const url = new URL(database.url);
    if (url.password === "") url.password = "pw-not-shown";
    const run = capture();
    // The test server trusts local connections, so a password it is given is not checked.
    const code = await runCli(["migrate", "--database", url.toString()], run.io);
    expect(run.text()).toMatch(
      new RegExp(`^PostgreSQL database .*: schema version ${PG_MIGRATIONS.length} \\(applied migration`),
    );
    expect(run.text()).not.toContain(url.password);
    expect(code).toBe(0);
    const again = capture();
    expect(await runCli(["migrate"], { ...again.io, env: { DATABASE_URL: database.url } })).toBe(0);
    expect(again.text()).toContain("(already up to date)");
  });

  it("migrates a SQLite file named by a relative path", async () => {
    const run = capture();
    expect(await runCli(["migrate", "--database", "state/../app.db"], run.io)).toBe(0);
    expect(run.text()).toMatch(
      new RegExp(`^SQLite database ${join(dir, "app.db")}: schema version \\d+\\n$`),
    );
  });

  it("fails with a message naming the unreachable database", async () => {
    const run = capture();
    const code = await runCli(["migrate", "--database", "postgres://u:secret@127.0.0.1:1/x"], run.io);
    expect(code).not.toBe(0);
    expect(run.text()).toMatch(/127\.0\.0\.1:1\/x.*nothing accepts connections/);
    expect(run.text()).not.toContain("secret");
  });
});
