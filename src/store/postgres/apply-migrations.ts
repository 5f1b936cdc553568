import type pg from "pg";
import { SchemaTooNewError, StoreError } from "../store-errors.js";
import type { PgMigration } from "./migrations.js";
import type { PgDb } from "./pg-db.js";

/**
 * The advisory lock every instance takes to migrate (any constant other Backflow code does not
 * use; "BFLWSCHM" in ASCII). Instances starting together queue on it, so each migration runs once.
 */
export const MIGRATION_LOCK = 0x42464c5753434847n;

/** The table recording applied versions. */
export const SCHEMA_TABLE = "backflow_schema";

/** A database migrated by a newer Backflow: this code could misread or damage it. */
export class PgSchemaTooNewError extends SchemaTooNewError {
  constructor(location: string, databaseVersion: number, knownVersion: number) {
    super(location, databaseVersion, knownVersion);
    this.message =
      `database schema is version ${databaseVersion}, this Backflow knows up to ${knownVersion} (${location}): ` +
      "upgrade Backflow to the version that migrated it, or point DATABASE_URL at another database.";
  }
}

/** Throws when versions are not 1, 2, 3, … in order (a bad append would corrupt databases). */
export function checkPgMigrations(migrations: readonly PgMigration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StoreError(
        `PostgreSQL migration "${migration.name}" has version ${migration.version}; expected ${index + 1}. ` +
          "Append migrations with consecutive versions and never reorder them.",
      );
    }
  });
}

async function currentVersion(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>(
    `SELECT MAX(version) AS version FROM ${SCHEMA_TABLE}`,
  );
  return rows[0]?.version ?? 0;
}

/** The schema version recorded in the database (0 when it was never migrated). */
export async function pgSchemaVersion(db: PgDb): Promise<number> {
  const { rows } = await db.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [
    SCHEMA_TABLE,
  ]);
  if (!rows[0]?.present) return 0;
  const result = await db.query<{ version: number | null }>(
    `SELECT MAX(version) AS version FROM ${SCHEMA_TABLE}`,
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Brings the database up to the last migration in ONE transaction holding the migration advisory
 * lock: instances starting together wait for the first, then find nothing left to do; a failing
 * migration leaves the schema as it was. Refuses (PgSchemaTooNewError) a database a newer Backflow
 * migrated. Returns the versions it applied.
 */
export async function applyPgMigrations(input: {
  db: PgDb;
  migrations: readonly PgMigration[];
  /** How the database is named in messages (its URL without the password). */
  location: string;
  now: Date;
}): Promise<number[]> {
  const { db, migrations, location, now } = input;
  checkPgMigrations(migrations);
  const known = migrations.length;
  return db.transaction(async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK.toString()]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
    );
    const current = await currentVersion(client);
    if (current > known) throw new PgSchemaTooNewError(location, current, known);
    const applied: number[] = [];
    for (const migration of migrations.slice(current)) {
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new StoreError(
          `PostgreSQL migration ${migration.version} ("${migration.name}") failed on ${location}: ${(error as Error).message}. ` +
            "Nothing was changed; fix the cause (permissions to create tables, a conflicting table of the same name) and start again.",
        );
      }
      await client.query(`INSERT INTO ${SCHEMA_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        now,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
