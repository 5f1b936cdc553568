import type { Dialect } from "../config/schema.js";
import { type AstNode, isNode, nameOf, nodeArray, tableIdOf } from "../sql/ast-nodes.js";
import { doubleQuotesAreIdentifiers, hashStartsComment, hasLateralColumnAliases } from "../sql/dialects.js";
import { fallbackTables } from "../sql/fallback-tables.js";
import { parseStatement } from "../sql/parse-statement.js";
import { rewriteForParser } from "../sql/rewrite-for-parser.js";
import { type SqlStatement, splitStatements } from "../sql/split-statements.js";
import { analyzeQuery } from "./analyze-query.js";
import type { AnalyzedColumn, AnalyzedTable } from "./file-analysis.js";
import type { QueryContext, TemporaryTable } from "./query-context.js";
import type { Diagnostic } from "./schema.js";

export type StatementsInput = {
  readonly path: string;
  /** SQL to analyse (for dbt, the rendered text). */
  readonly sql: string;
  readonly dialect: Dialect;
  /** 1-based line of `sql` → 1-based line of the file the user wrote. */
  readonly lineOf: (line: number) => number;
  /** The model a bare SELECT produces (dbt model name, or the file name of a plain SELECT file). */
  readonly modelName?: string;
};

type Output = { id: string; kind: AnalyzedTable["kind"]; temporary: boolean; renames: string[] } | undefined;

function outputOf(ast: AstNode, modelName: string | undefined): { output: Output; query: unknown } {
  if (ast.type === "select") {
    const output = modelName
      ? { id: modelName, kind: "model" as const, temporary: false, renames: [] }
      : undefined;
    return { output, query: ast };
  }
  const target = nodeArray(ast.table)[0] ?? (isNode(ast.view) ? ast.view : undefined);
  const id = target ? tableIdOf(target) : undefined;
  if (!id) return { output: undefined, query: undefined };
  const renames = (Array.isArray(ast.columns) ? ast.columns.map(nameOf) : []).map(
    (n) => n?.toLowerCase() ?? "",
  );
  if (ast.type === "create") {
    const kind = ast.keyword === "view" ? ("view" as const) : ("table" as const);
    const temporary = typeof ast.temporary === "string" && ast.temporary.length > 0;
    return { output: { id, kind, temporary, renames }, query: ast.query_expr ?? ast.select };
  }
  if (ast.type === "insert" || ast.type === "replace") {
    const values = isNode(ast.values) && ast.values.type === "select" ? ast.values : ast.select;
    return { output: { id, kind: "table", temporary: false, renames }, query: values };
  }
  return { output: undefined, query: undefined };
}

function renamed(columns: AnalyzedColumn[], renames: readonly string[]): AnalyzedColumn[] {
  if (renames.length === 0) return columns;
  return columns.map((c, i) => (renames[i] && !c.star ? { ...c, name: renames[i] as string } : c));
}

function lineOfOffset(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

type FileState = {
  readonly input: StatementsInput;
  readonly tables: AnalyzedTable[];
  readonly temporary: Map<string, TemporaryTable>;
  readonly diagnostics: Diagnostic[];
  readonly fileLine: (offset: number) => number;
};

function fallback(state: FileState, statement: SqlStatement, message: string, line: number): void {
  const { input } = state;
  const found = fallbackTables(statement.tokens, (offset) => input.lineOf(state.fileLine(offset)));
  const reads = found.reads.flatMap((r) => {
    const temp = state.temporary.get(r.id);
    return temp ? [...temp.upstream] : [r.id];
  });
  const first = statement.tokens[0]?.text.toLowerCase();
  const targets =
    found.targets.length > 0
      ? found.targets
      : input.modelName && (first === "select" || first === "with" || first === "(")
        ? [
            {
              id: input.modelName,
              line: input.lineOf(state.fileLine(statement.start)),
              kind: "model" as const,
            },
          ]
        : [];
  for (const target of targets) {
    state.tables.push({
      id: target.id,
      kind: target.kind,
      line: target.line,
      confidence: "table-only",
      upstream: [...new Set(reads)],
      columns: [],
      rowSources: [],
    });
  }
  state.diagnostics.push({
    file: input.path,
    line,
    severity: "warning",
    message: `could not parse this statement (${message}); lineage here is table-level only`,
  });
}

/**
 * A PIVOT/UNPIVOT that no FROM entry took (the grammar placed it where it was not looked for) would leave
 * the columns read as if it were absent: every column of the statement becomes unknown instead.
 */
function unknownIfOperatorLost(ctx: QueryContext, columns: AnalyzedColumn[]): AnalyzedColumn[] {
  const lost = (ctx.tableOperators ?? []).filter((op) => !ctx.appliedOperators?.has(op.offset));
  if (lost.length === 0) return columns;
  ctx.warnings.push({
    line: ctx.lineOf(1),
    message: `a ${lost[0]?.spec.kind === "pivot" ? "PIVOT" : "UNPIVOT"} could not be tied to its table; the columns of this statement are of unknown origin`,
  });
  return columns.map((c) => ({ name: c.name, line: c.line, transform: "unknown", sources: [] }));
}

function analyzeOne(state: FileState, statement: SqlStatement): void {
  const { input } = state;
  const original = input.sql.slice(statement.start, statement.end);
  const rewritten = rewriteForParser(original, {
    hashComments: hashStartsComment(input.dialect),
    bigQuery: input.dialect === "bigquery",
  });
  const baseLine = state.fileLine(statement.start);
  const lineOf = (local: number) => input.lineOf(baseLine + local - 1);
  const parsed = parseStatement(rewritten.text, input.dialect);
  if (!parsed.ok) {
    fallback(state, statement, parsed.message, lineOf(parsed.line));
    return;
  }
  if (!isNode(parsed.ast)) return;
  const { output, query } = outputOf(parsed.ast, input.modelName);
  if (!output || !isNode(query)) return;
  const ctx: QueryContext = {
    text: original,
    database: parsed.database,
    quotedIdentifiers: doubleQuotesAreIdentifiers(input.dialect),
    lateralAliases: hasLateralColumnAliases(input.dialect),
    lineOf,
    starModifiers: rewritten.starModifiers,
    dialect: input.dialect,
    tableOperators: rewritten.tableOperators,
    appliedOperators: new Set(),
    temporary: state.temporary,
    upstream: new Set(),
    rowSources: [],
    warnings: [],
  };
  const columns = unknownIfOperatorLost(ctx, renamed(analyzeQuery(query, undefined, ctx), output.renames));
  for (const w of ctx.warnings) {
    state.diagnostics.push({ file: input.path, line: w.line, severity: "warning", message: w.message });
  }
  if (output.temporary) {
    const relation = { kind: "derived" as const, columns };
    state.temporary.set(output.id, { relation, upstream: [...ctx.upstream], rowSources: ctx.rowSources });
    return;
  }
  const line = input.lineOf(baseLine);
  state.tables.push({
    id: output.id,
    kind: output.kind,
    line,
    confidence: "column",
    upstream: [...ctx.upstream],
    columns,
    rowSources: ctx.rowSources,
  });
}

/**
 * Analyses every statement of one SQL text: CREATE TABLE/VIEW AS, INSERT … SELECT, and a bare SELECT
 * (the model). Temporary tables feed later statements and are not outputs. A statement the parser
 * cannot read gets table-level lineage from its keywords and a diagnostic with its line.
 */
export function analyzeStatements(input: StatementsInput): {
  tables: AnalyzedTable[];
  diagnostics: Diagnostic[];
} {
  const state: FileState = {
    input,
    tables: [],
    temporary: new Map(),
    diagnostics: [],
    fileLine: lineOfOffset(input.sql),
  };
  for (const statement of splitStatements(input.sql, {
    hashComments: hashStartsComment(input.dialect),
    tripleQuotes: input.dialect === "bigquery",
  })) {
    if (!statement.skip) analyzeOne(state, statement);
  }
  return { tables: state.tables, diagnostics: state.diagnostics };
}
