import { migrateDatabase } from "../../store/open-store.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode } from "../command.js";

/**
 * `backflow migrate`: brings the database named by --database or DATABASE_URL to this version's
 * schema (what start-up does) and prints the schema version, so an operator can migrate before
 * rolling a new version out.
 */
export async function runMigrate({ values }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const url = typeof values.database === "string" ? values.database : io.env.DATABASE_URL;
  const result = await migrateDatabase(url);
  const name = result.backend === "postgres" ? "PostgreSQL" : "SQLite";
  const applied =
    result.applied === null
      ? ""
      : result.applied.length === 0
        ? " (already up to date)"
        : ` (applied ${result.applied.length === 1 ? "migration" : "migrations"} ${result.applied.join(", ")})`;
  io.out(`${name} database ${result.location}: schema version ${result.version}${applied}\n`);
  return EXIT.ok;
}
