import nodeSqlParser from "node-sql-parser";
import type { Dialect } from "../config/schema.js";
import { type ParserDatabase, parserDatabasesFor } from "./dialects.js";

// One parser for the process: constructing it is cheap, but there is no reason to do it per file.
const parser = new nodeSqlParser.Parser();

export type ParsedStatement =
  | { readonly ok: true; readonly ast: unknown; readonly database: ParserDatabase }
  | { readonly ok: false; readonly message: string; readonly line: number };

function errorLine(error: unknown): number {
  const location = (error as { location?: { start?: { line?: unknown } } }).location;
  const line = location?.start?.line;
  return typeof line === "number" && line >= 1 ? line : 1;
}

function firstLine(message: string): string {
  const found = /but (.+) found\.?$/.exec(message);
  const text = found ? `syntax error: unexpected ${found[1]}` : (message.split("\n")[0] ?? message);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Parses one statement with the dialect's grammar, then the fallback grammars, with source locations.
 * On failure reports the primary grammar's message and line (1-based, relative to `sql`).
 */
export function parseStatement(sql: string, dialect: Dialect): ParsedStatement {
  let failure: { message: string; line: number } | undefined;
  for (const database of parserDatabasesFor(dialect)) {
    try {
      const result: unknown = parser.astify(sql, { database, parseOptions: { includeLocations: true } });
      const ast = Array.isArray(result) ? result[0] : result;
      if (ast) return { ok: true, ast, database };
    } catch (error) {
      failure ??= { message: firstLine(String((error as Error).message ?? error)), line: errorLine(error) };
    }
  }
  return { ok: false, ...(failure ?? { message: "the statement is empty", line: 1 }) };
}

/** Raw `astify` with no locations and no retries: the bench's baseline. */
export function astifyOnly(sql: string, database: ParserDatabase): unknown {
  return parser.astify(sql, { database });
}

/** SQL text of an expression node, regenerated; for grammars that gave no source location. */
export function expressionSql(expr: unknown, database: ParserDatabase): string {
  try {
    return String(parser.exprToSQL(expr as Parameters<typeof parser.exprToSQL>[0], { database }));
  } catch {
    return "";
  }
}
