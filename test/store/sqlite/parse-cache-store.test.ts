import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

describe("SQLite parse cache", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:");
  });
  afterEach(() => store.close());

  it("returns only the keys it holds", async () => {
    await store.parseCache.putMany([
      { key: "v1:abc", value: { tables: ["orders"] } },
      { key: "v1:def", value: [1, 2] },
    ]);
    const found = await store.parseCache.getMany(["v1:abc", "v1:missing", "v1:def"]);
    expect([...found.entries()].sort()).toEqual([
      ["v1:abc", { tables: ["orders"] }],
      ["v1:def", [1, 2]],
    ]);
  });

  it("replaces a value written again under the same key", async () => {
    await store.parseCache.putMany([{ key: "k", value: 1 }]);
    await store.parseCache.putMany([{ key: "k", value: 2 }]);
    expect((await store.parseCache.getMany(["k"])).get("k")).toBe(2);
  });

  it("answers for more keys than one SQL statement may bind", async () => {
    const entries = Array.from({ length: 1200 }, (_, i) => ({ key: `sha${i}`, value: i }));
    await store.parseCache.putMany(entries);
    const found = await store.parseCache.getMany(entries.map((e) => e.key));
    expect(found.size).toBe(1200);
    expect(found.get("sha1199")).toBe(1199);
  });

  it("returns an empty map for no keys", async () => {
    expect((await store.parseCache.getMany([])).size).toBe(0);
  });
});
