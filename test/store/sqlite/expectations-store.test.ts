import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { applyMigrations } from "../../../src/store/sqlite/apply-migrations.js";
import { MIGRATIONS } from "../../../src/store/sqlite/migrations.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { record, spec, T0 } from "../fixtures/expectation-record.js";
import { tempDbPath } from "../temp-db.js";

// Behaviour shared with PostgreSQL is in test/store/contract/expectations.test.ts.
describe("sqlite expectation store", () => {
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
});
