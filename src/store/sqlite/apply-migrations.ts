import type Database from "better-sqlite3";
import { SchemaTooNewError, StoreError } from "../store-errors.js";
import type { Migration } from "./migrations.js";

/** Throws when versions are not strictly increasing from 1 (a bad append would corrupt databases). */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StoreError(
        `migration "${migration.name}" has version ${migration.version}; expected ${index + 1}. ` +
          "Append migrations with consecutive versions and never reorder them.",
      );
    }
  });
}

/** The highest migration version recorded in the database (0 for a new database). */
export function schemaVersion(db: Database.Database): number {
  const row = db
    .prepare<[], { version: number | null }>("SELECT MAX(version) AS version FROM schema_migrations")
    .get();
  return row?.version ?? 0;
}

/**
 * Brings the database up to the last migration inside one IMMEDIATE transaction, so two processes
 * opening a new file at once apply each migration exactly once. Returns the versions it applied.
 */
export function applyMigrations(input: {
  db: Database.Database;
  migrations: readonly Migration[];
  location: string;
  now: Date;
}): number[] {
  const { db, migrations, location, now } = input;
  checkMigrations(migrations);
  const known = migrations.length;
  const run = db.transaction((): number[] => {
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    );
    const current = schemaVersion(db);
    if (current > known) throw new SchemaTooNewError(location, current, known);
    const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    const applied: number[] = [];
    for (const migration of migrations.slice(current)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now.getTime());
      applied.push(migration.version);
    }
    return applied;
  });
  return run.immediate();
}
