import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { DEFAULT_DATABASE_PATH, openStore, resolveSqlitePath } from "../../src/store/open-store.js";

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
  });

  it.each([
    { url: "postgres://user:pw@db:5432/backflow", message: /PostgreSQL store is not available yet/ },
    { url: "postgresql://db/backflow", message: /SQLite file path/ },
    { url: "mysql://db/backflow", message: /unsupported scheme "mysql:"/ },
    { url: "sqlite://db.example.com/backflow.db", message: /remote host/ },
    { url: "sqlite:", message: /names no file/ },
  ])("refuses $url with a message that says what to use", ({ url, message }) => {
    expect(() => resolveSqlitePath(url)).toThrow(ConfigError);
    expect(() => resolveSqlitePath(url)).toThrow(message);
  });

  it("opens a working store for an in-memory URL", async () => {
    const store = openStore("sqlite::memory:");
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await store.close();
  });
});
