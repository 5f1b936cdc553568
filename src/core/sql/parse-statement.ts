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
 * One statement longer than this is not parsed: the parser's time and memory grow fast with it
 * (a 200 KB SELECT took seconds), so such a statement gets table-level lineage.
 */
export const MAX_STATEMENT_CHARS = 100_000;
/** Characters of SQL parsed per file (see withParseBudget); later statements get table-level lineage. */
export const MAX_PARSED_CHARS_PER_FILE = 500_000;
/**
 * What one parse attempt costs beyond its length, in characters: the parser's fixed cost per
 * statement, so a file of 40,000 tiny statements spends the budget as fast as its time grows.
 */
export const PARSE_ATTEMPT_CHARS = 1_000;
/** The start of the parse failure message once a file's budget is spent (analyze-file folds these into one). */
export const PARSE_BUDGET_SPENT = "the file's parse budget is spent";

/** The characters the current file may still parse; undefined outside withParseBudget (no limit). */
let budgetLeft: number | undefined;

/**
 * Runs `analyse` with a parse budget of `chars` characters shared by every parseStatement call it
 * makes (synchronously). Returns its result and how many statements were refused for the budget.
 * @example withParseBudget(MAX_PARSED_CHARS_PER_FILE, () => analyzeStatements(input))
 */
export function withParseBudget<T>(chars: number, analyse: () => T): { result: T; refused: number } {
  const outer = budgetLeft;
  const before = refusedCount;
  budgetLeft = chars;
  try {
    return { result: analyse(), refused: refusedCount - before };
  } finally {
    budgetLeft = outer;
  }
}
let refusedCount = 0;

function overBudget(sql: string): { ok: false; message: string; line: number } | undefined {
  if (sql.length > MAX_STATEMENT_CHARS) {
    return {
      ok: false,
      message: `the statement has ${sql.length} characters, more than the ${MAX_STATEMENT_CHARS} Backflow parses in one statement`,
      line: 1,
    };
  }
  if (budgetLeft === undefined) return undefined;
  const cost = sql.length + PARSE_ATTEMPT_CHARS;
  if (cost > budgetLeft) {
    refusedCount++;
    budgetLeft = 0;
    return {
      ok: false,
      message: PARSE_BUDGET_SPENT,
      line: 1,
    };
  }
  budgetLeft -= cost;
  return undefined;
}

/**
 * Parses one statement with the dialect's grammar, then the fallback grammars, with source locations.
 * On failure reports the primary grammar's message and line (1-based, relative to `sql`). A statement
 * over MAX_STATEMENT_CHARS, or over what is left of the file's budget, is refused with the reason.
 */
export function parseStatement(sql: string, dialect: Dialect): ParsedStatement {
  const refused = overBudget(sql);
  if (refused) return refused;
  let failure: { message: string; line: number } | undefined;
  for (const database of parserDatabasesFor(dialect)) {
    // The BigQuery grammar reads `:` inside names, so as a fallback it would take `a::int` for a column
    // named "a::int": never let it read a `::` cast (BigQuery itself has none).
    if (database === "BigQuery" && dialect !== "bigquery" && sql.includes("::")) continue;
    try {
      const result: unknown = parser.astify(sql, { database, parseOptions: { includeLocations: true } });
      const ast = Array.isArray(result) ? result[0] : result;
      if (ast) return { ok: true, ast, database };
    } catch (error) {
      failure ??= { message: firstLine(String((error as Error).message ?? error)), line: errorLine(error) };
      // A failed attempt cost as much as a parse; the next grammar's attempt is charged too.
      if (budgetLeft !== undefined) budgetLeft = Math.max(0, budgetLeft - sql.length - PARSE_ATTEMPT_CHARS);
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
