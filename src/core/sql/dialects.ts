import type { Dialect } from "../config/schema.js";

/** node-sql-parser's names for the grammars it ships (its `database` option). */
export type ParserDatabase = "BigQuery" | "Snowflake" | "PostgresQL" | "Redshift" | "MySQL" | "Trino";

/**
 * Backflow dialect → node-sql-parser grammar. DuckDB and ANSI have no grammar of their own;
 * PostgreSQL's is the closest (DuckDB follows Postgres syntax; ANSI SQL is a subset of it).
 */
export const PARSER_DATABASE: Readonly<Record<Dialect, ParserDatabase>> = {
  bigquery: "BigQuery",
  snowflake: "Snowflake",
  postgres: "PostgresQL",
  redshift: "Redshift",
  mysql: "MySQL",
  trino: "Trino",
  duckdb: "PostgresQL",
  ansi: "PostgresQL",
};

/** Dialects whose own grammar reports no source location for select items (measured on 5.4.0). */
const WEAK_LOCATIONS = new Set<ParserDatabase>(["PostgresQL", "Redshift", "Trino"]);

/**
 * The grammars to try, in order, for a dialect. Snowflake's grammar is tried early: it is the only one
 * that accepts QUALIFY, GROUP BY ALL, EXCLUDE and UNPIVOT, and it reports the location of every select
 * item, which the Postgres, Redshift and Trino grammars do not; it reads Postgres-family SQL the same way
 * for lineage (double quotes are identifiers). MySQL keeps its own grammar first because there `"x"` is
 * a string. Each retry costs about a millisecond.
 */
export function parserDatabasesFor(dialect: Dialect): ParserDatabase[] {
  const own = PARSER_DATABASE[dialect];
  const first: ParserDatabase[] = WEAK_LOCATIONS.has(own) ? ["Snowflake", own] : [own, "Snowflake"];
  return [...new Set<ParserDatabase>([...first, "PostgresQL", "BigQuery", "Redshift"])];
}

/** Whether `#` starts a line comment in this dialect (it is an operator in Postgres). */
export function hashStartsComment(dialect: Dialect): boolean {
  return dialect === "bigquery" || dialect === "mysql";
}

/** Whether `"x"` is an identifier (standard SQL) rather than a string (MySQL, BigQuery). */
export function doubleQuotesAreIdentifiers(dialect: Dialect): boolean {
  return dialect !== "bigquery" && dialect !== "mysql";
}

/** Whether a SELECT item may use the alias of an earlier item of the same SELECT (a lateral alias). */
export function hasLateralColumnAliases(dialect: Dialect): boolean {
  return dialect === "snowflake" || dialect === "redshift" || dialect === "duckdb";
}

/** Quotes an identifier part so the dialect's grammar reads it as a name, even if it is a keyword. */
export function quoteIdentifier(dialect: Dialect, name: string): string {
  if (dialect === "bigquery" || dialect === "mysql") return `\`${name.replaceAll("`", "")}\``;
  return `"${name.replaceAll('"', "")}"`;
}
