import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import {
  DEFAULT_DATABASE_PATH,
  isPostgresUrl,
  migrateDatabase,
  openStore,
  resolveSqlitePath,
} from "../../src/store/open-store.js";
import { StoreError } from "../../src/store/store-errors.js";
import { createTestDatabase } from "../helpers/postgres.js";

describe("DATABASE_URL", () => {
  it.each([
    { url: undefined, path: DEFAULT_DATABASE_PATH },
    { url: "", path: DEFAULT_DATABASE_PATH },
    { url: "  ", path: DEFAULT_DATABASE_PATH },
    { url: "./data/backflow.db", path: "./data/backflow.db" },
    { url: "/var/lib/backflow.db", path: "/var/lib/backflow.db" },
    { url: ":memory:", path: ":memory:" },
    { url: "sqlite::memory:", path: ":memory:" },
    { url: "file:./dev.db", path: "./dev.db" },
    { url: "file:dev.db?mode=rwc", path: "dev.db" },
    { url: "file:///var/lib/backflow.db", path: "/var/lib/backflow.db" },
    { url: "file://localhost/var/lib/backflow.db", path: "/var/lib/backflow.db" },
    { url: "sqlite:backflow.db", path: "backflow.db" },
    { url: "sqlite:///srv/my%20data/backflow.db", path: "/srv/my data/backflow.db" },
    { url: "sqlite://./rel/backflow.db", path: "./rel/backflow.db" },
    { url: "SQLITE:///x.db", path: "/x.db" },
    { url: "C:\\data\\backflow.db", path: "C:\\data\\backflow.db" },
  ])("reads $url as the SQLite file $path", ({ url, path }) => {
    expect(resolveSqlitePath(url)).toBe(path);
    expect(isPostgresUrl(url)).toBe(false);
  });

  it.each(["postgres://user:pw@db:5432/backflow", "postgresql://db/backflow", " POSTGRES://db/backflow "])(
    "reads %s as a PostgreSQL database, never as a file",
    (url) => {
      expect(isPostgresUrl(url)).toBe(true);
      expect(() => resolveSqlitePath(url)).toThrow(/PostgreSQL database, not a SQLite file/);
    },
  );

  it.each([
    { url: "mysql://db/backflow", message: /unsupported scheme "mysql:".*postgres:\/\// },
    { url: "postgres:backflow", message: /unsupported scheme "postgres:"/ },
    { url: "sqlite://db.example.com/backflow.db", message: /remote host/ },
    { url: "sqlite:", message: /names no file/ },
  ])("refuses $url with a message that says what to use", ({ url, message }) => {
    expect(() => resolveSqlitePath(url)).toThrow(ConfigError);
    expect(() => resolveSqlitePath(url)).toThrow(message);
  });

  it("opens a working SQLite store for an in-memory URL", async () => {
    const store = await openStore("sqlite::memory:");
    expect(store.backend).toBe("sqlite");
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await store.close();
  });

  it("opens and migrates a PostgreSQL store for a postgres:// URL, and `migrate` finds nothing left to do", async () => {
    const database = await createTestDatabase();
    try {
      const store = await openStore(database.url);
      expect(store.backend).toBe("postgres");
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await store.close();
      const migrated = await migrateDatabase(database.url.replace(/^postgres:/, "postgresql:"));
      expect(migrated).toMatchObject({ backend: "postgres", applied: [] });
      expect(migrated.version).toBeGreaterThanOrEqual(1);
    } finally {
      await database.drop();
    }
  });

  it("says which PostgreSQL database it cannot reach, without its password, and what to check", async () => {
    const error = await openStore("postgres://backflow:s3cret@127.0.0.1:1/backflow", {
      connectionTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/127\.0\.0\.1:1\/backflow.*nothing accepts connections there/);
    expect((error as Error).message).not.toContain("s3cret");
  });

  it("says a PostgreSQL database that does not exist must be created", async () => {
    const database = await createTestDatabase();
    await database.drop();
    const error = await openStore(database.url).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/database does not exist: create it/);
  });
});
