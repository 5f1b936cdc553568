import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { tempDbPath } from "../temp-db.js";

const now = new Date("2025-01-01T00:00:00Z");

describe("SQLite repository state", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  it.each([
    { name: "an object", value: { checkRunId: 12, names: ["a"] } },
    { name: "a number", value: 42 },
    { name: "a string", value: "main" },
    { name: "a boolean", value: false },
  ])("round-trips $name", async ({ value }) => {
    await store.repoState.put({ repo: "acme/shop", key: "k", value, now });
    expect(await store.repoState.get({ repo: "acme/shop", key: "k" })).toEqual(value);
  });

  it("returns null for a missing key and keeps repositories apart", async () => {
    await store.repoState.put({ repo: "acme/shop", key: "k", value: 1, now });
    expect(await store.repoState.get({ repo: "acme/other", key: "k" })).toBeNull();
  });

  it("overwrites on put and forgets on delete", async () => {
    await store.repoState.put({ repo: "r", key: "k", value: 1, now });
    await store.repoState.put({ repo: "r", key: "k", value: 2, now });
    expect(await store.repoState.get({ repo: "r", key: "k" })).toBe(2);
    await store.repoState.delete({ repo: "r", key: "k" });
    expect(await store.repoState.get({ repo: "r", key: "k" })).toBeNull();
  });

  it("lets only the first writer set a key with putIfAbsent", async () => {
    expect(await store.repoState.putIfAbsent({ repo: "r", key: "dash", value: 7, now })).toBe(true);
    expect(await store.repoState.putIfAbsent({ repo: "r", key: "dash", value: 8, now })).toBe(false);
    expect(await store.repoState.get({ repo: "r", key: "dash" })).toBe(7);
  });

  it("decides putIfAbsent once across two connections to one file", async () => {
    const db = tempDbPath();
    const a = openSqliteStore(db.path);
    const b = openSqliteStore(db.path);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).repoState.putIfAbsent({ repo: "r", key: "k", value: i, now }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.repoState.get({ repo: "r", key: "k" })).toBe(results.indexOf(true));
    await a.close();
    await b.close();
    db.cleanup();
  });
});
