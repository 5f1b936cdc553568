import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { REPO_ROOT, runFixture, tempDbPath } from "./temp-db.js";

const FIXTURE = join(REPO_ROOT, "test/store/fixtures/repo-state-io.ts");

describe("a SQLite file shared by two processes", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("lets a second process see writes this process committed", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    await store.repoState.put({ repo: "acme/shop", key: "dashboard", value: { issue: 42 }, now: new Date() });

    const child = await runFixture(FIXTURE, ["read", db.path, "acme/shop", "dashboard"]);

    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ issue: 42 });
    await store.close();
  });

  it("sees writes a second process committed while this connection stays open", async () => {
    const db = tempDbPath();
    cleanup = db.cleanup;
    const store = openSqliteStore(db.path);
    expect(await store.repoState.get({ repo: "acme/shop", key: "check" })).toBeNull();

    const child = await runFixture(FIXTURE, ["write", db.path, "acme/shop", "check", '{"id":7}']);

    expect(child.stdout.trim()).toBe("written");
    expect(await store.repoState.get({ repo: "acme/shop", key: "check" })).toEqual({ id: 7 });
    await store.close();
  });
});
