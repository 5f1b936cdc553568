import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { parseExpectations } from "../../../src/core/expectations/parse-expectations.js";
import { applyMigrations } from "../../../src/store/sqlite/apply-migrations.js";
import { MIGRATIONS } from "../../../src/store/sqlite/migrations.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { ExpectationRecord } from "../../../src/store/store.js";
import { tempDbPath } from "../temp-db.js";

const spec = {
  ...(parseExpectations("```expects\n- metric: volume(orders) > 10 within 1d\n```").expectations[0] ??
    ({} as never)),
  tableId: "orders",
  fingerprint: "f1",
};
const T0 = new Date("2026-11-10T00:00:00Z");

const record = (over: Partial<ExpectationRecord> = {}): ExpectationRecord => ({
  id: "acme/shop#7:3",
  repo: "acme/shop",
  pr: 7,
  mergeSha: "a".repeat(40),
  mergedAt: T0,
  author: "octocat",
  fingerprint: "f1",
  spec,
  state: "watching",
  verdict: null,
  revertPr: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

describe("sqlite expectation store", () => {
  it("stores an expectation once per id and reads it back", async () => {
    const store = openSqliteStore(":memory:");
    expect(await store.expectations.add([record(), record({ id: "acme/shop#7:4", fingerprint: "f2" })])).toBe(
      2,
    );
    expect(await store.expectations.add([record({ state: "met" })])).toBe(0);
    expect(await store.expectations.get("acme/shop#7:3")).toEqual(record());
    expect((await store.expectations.get("acme/shop#7:4"))?.author).toBe("octocat");
    expect(
      (await store.expectations.list({ repo: "acme/shop", fingerprint: "f2" })).map((r) => r.id),
    ).toEqual(["acme/shop#7:4"]);
    await store.close();
  });

  it("lets only one run settle a watching expectation", async () => {
    const store = openSqliteStore(":memory:");
    await store.expectations.add([record()]);
    const verdict = { state: "met" as const, reason: "held", evidence: [] };
    const now = new Date("2026-11-11T00:00:00Z");
    expect(
      await store.expectations.settle({ id: "acme/shop#7:3", from: "watching", state: "met", verdict, now }),
    ).toBe(true);
    expect(
      await store.expectations.settle({
        id: "acme/shop#7:3",
        from: "watching",
        state: "violated",
        verdict,
        now,
      }),
    ).toBe(false);
    await store.expectations.setRevertPr({ id: "acme/shop#7:3", revertPr: 12, now });
    expect(await store.expectations.get("acme/shop#7:3")).toMatchObject({
      state: "met",
      verdict,
      revertPr: 12,
      updatedAt: now,
    });
    expect(await store.expectations.list({ repo: "acme/shop", state: "watching" })).toEqual([]);
    await store.close();
  });

  it("keeps expectations stored before authors were recorded, with no author", async () => {
    const db = tempDbPath();
    try {
      const old = new Database(db.path);
      applyMigrations({ db: old, migrations: MIGRATIONS.slice(0, 4), location: db.path, now: T0 });
      old
        .prepare(
          `INSERT INTO expectations (id, repo, pr, merge_sha, merged_at, fingerprint, spec, state, created_at, updated_at)
           VALUES ('acme/shop#7:3', 'acme/shop', 7, ?, ?, 'f1', ?, 'watching', ?, ?)`,
        )
        .run("a".repeat(40), T0.getTime(), JSON.stringify(spec), T0.getTime(), T0.getTime());
      old.close();
      const upgraded = openSqliteStore(db.path);
      expect(await upgraded.expectations.get("acme/shop#7:3")).toEqual(record({ author: null }));
      await upgraded.close();
    } finally {
      db.cleanup();
    }
  });

  it("lists watched expectations and those settled since a time", async () => {
    const store = openSqliteStore(":memory:");
    await store.expectations.add([
      record(),
      record({ id: "acme/shop#7:4" }),
      record({ id: "acme/shop#7:5" }),
    ]);
    const verdict = { state: "met" as const, reason: "held", evidence: [] };
    const settle = (id: string, now: Date) =>
      store.expectations.settle({ id, from: "watching", state: "met", verdict, now });
    await settle("acme/shop#7:4", new Date("2026-11-11T00:00:00Z"));
    await settle("acme/shop#7:5", new Date("2026-11-20T00:00:00Z"));
    const since = new Date("2026-11-15T00:00:00Z");
    expect(
      (await store.expectations.list({ repo: "acme/shop", updatedSince: since })).map((r) => [r.id, r.state]),
    ).toEqual([
      ["acme/shop#7:3", "watching"],
      ["acme/shop#7:5", "met"],
    ]);
    await store.close();
  });
});
