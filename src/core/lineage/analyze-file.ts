import type { Dialect } from "../config/schema.js";
import type { DbtGraph } from "../sql/dbt/dbt-graph.js";
import type { DbtProject } from "../sql/dbt/find-dbt-projects.js";
import type { MacroLibrary } from "../sql/dbt/macro-library.js";
import {
  type JinjaContext,
  type JinjaDiagnostic,
  type RenderedSql,
  renderJinja,
} from "../sql/dbt/render-jinja.js";
import { quoteIdentifier } from "../sql/dialects.js";
import { fallbackTables } from "../sql/fallback-tables.js";
import { MAX_PARSED_CHARS_PER_FILE, PARSE_BUDGET_SPENT, withParseBudget } from "../sql/parse-statement.js";
import { tokenizeSql } from "../sql/tokenize-sql.js";
import { analyzeStatements } from "./analyze-statements.js";
import { ANALYSIS_VERSION, type AnalyzedTable, type FileAnalysis } from "./file-analysis.js";
import type { Diagnostic } from "./schema.js";
import { UNKNOWN_COLUMNS } from "./scope.js";
import { unanalysedModel } from "./unanalysed-model.js";

/** How a file is read: plain SQL (a bare SELECT is a model named after the file), or a dbt model. */
export type FileRole =
  | { readonly kind: "plain"; readonly modelName: string }
  | {
      readonly kind: "dbt";
      readonly modelName: string;
      readonly project: DbtProject;
      /** The project's macros; without them project macros degrade like unknown ones. */
      readonly macros?: MacroLibrary;
      /** The repository's dbt graph, for a model whose Jinja reads it (`graph`, `adapter.get_relation`, …). */
      readonly graph?: DbtGraph;
    };

export type AnalyzeFileInput = {
  readonly path: string;
  readonly text: string;
  readonly dialect: Dialect;
  readonly role: FileRole;
  readonly key: string;
  /** Characters of SQL parsed in this file before the rest gets table-level lineage (tests lower it). */
  readonly parseBudgetChars?: number;
};

function quoted(dialect: Dialect, ...parts: string[]): string {
  return parts.map((p) => quoteIdentifier(dialect, p)).join(".");
}

function jinjaContext(input: AnalyzeFileInput, project: DbtProject, isIncremental: boolean): JinjaContext {
  const { dialect } = input;
  return {
    // Quoted so a model or source named like a keyword (`order`, `date`) still parses as a table.
    ref: (name) => quoted(dialect, name.toLowerCase()),
    source: (sourceName, tableName) => quoted(dialect, sourceName.toLowerCase(), tableName.toLowerCase()),
    vars: project.vars,
    isIncremental,
    thisRelation: quoted(dialect, input.role.modelName.toLowerCase()),
    target: { type: dialect },
    projectName: project.name,
    // As at run time: SQL built only under `{% if execute %}` is the SQL the warehouse runs.
    execute: true,
    ...(input.role.kind === "dbt" && input.role.macros ? { macros: input.role.macros } : {}),
    ...(input.role.kind === "dbt" && input.role.graph ? { graph: input.role.graph } : {}),
  };
}

function analyzeDbt(input: AnalyzeFileInput, project: DbtProject): FileAnalysis {
  const rendered = renderJinja(input.text, jinjaContext(input, project, false));
  const lineOf = (line: number) => rendered.lineMap[line - 1] ?? line;
  const result = analyzeStatements({
    path: input.path,
    sql: rendered.sql,
    dialect: input.dialect,
    lineOf,
    modelName: input.role.modelName,
  });
  if (!result.tables.some((t) => t.id === input.role.modelName)) {
    const kept = unanalysedModel(input.path, input.role.modelName, rendered);
    result.tables.push(kept.table);
    result.diagnostics.push(kept.diagnostic);
  }
  markLoopColumnsUnknown(result.tables, input.role.modelName, rendered);
  // Upstreams read only on incremental runs (`{% if is_incremental() %} … {% endif %}`) count too.
  if (input.text.includes("is_incremental")) {
    addUpstreamReads(
      result.tables,
      rendered.sql,
      renderJinja(input.text, jinjaContext(input, project, true)),
    );
  }
  const jinja = jinjaDiagnostics(input.path, rendered.diagnostics);
  return {
    version: ANALYSIS_VERSION,
    key: input.key,
    path: input.path,
    tables: result.tables,
    diagnostics: [...jinja, ...result.diagnostics],
  };
}

/** Whether a file holds Jinja delimiters (`{{`, `{%`, `{#`) and so is rendered before it is parsed. */
export function hasJinja(text: string): boolean {
  return /\{[{%#]/.test(text);
}

/** The context of a plain SQL file: no project, so no vars, refs or sources, and is_incremental() false. */
function plainJinjaContext(input: AnalyzeFileInput): JinjaContext {
  const { dialect } = input;
  return {
    ref: (name) => quoted(dialect, name.toLowerCase()),
    source: (sourceName, tableName) => quoted(dialect, sourceName.toLowerCase(), tableName.toLowerCase()),
    vars: {},
    isIncremental: false,
    thisRelation: quoted(dialect, input.role.modelName.toLowerCase()),
    target: { type: dialect },
    mode: "plain",
  };
}

/**
 * A model whose Jinja loops over a value only the warehouse knows (`{% for c in
 * adapter.get_columns_in_relation(...) %}`) may lack the columns those loops would render: its table gets
 * one column `*` of unknown names, so its column list is never taken as complete (a `SELECT *` over it
 * stays unknown, and a source column missing from it is not called invented). The renderer's warning
 * names the loop.
 */
function markLoopColumnsUnknown(tables: AnalyzedTable[], modelName: string, rendered: RenderedSql): void {
  if (!rendered.unknownLoops) return;
  for (const table of tables) {
    if (table.id !== modelName || table.confidence !== "column") continue;
    if (table.columns.some((c) => !c.star && c.name === UNKNOWN_COLUMNS)) continue;
    table.columns.push({ name: UNKNOWN_COLUMNS, line: table.line, transform: "unknown", sources: [] });
  }
}

/** Adds the tables `other` reads, when it differs from `sql`, to every table's upstream (never itself). */
function addUpstreamReads(tables: readonly AnalyzedTable[], sql: string, other: RenderedSql): void {
  if (other.sql === sql) return;
  const reads = fallbackTables(tokenizeSql(other.sql), () => 1).reads.map((r) => r.id);
  for (const table of tables) {
    const extra = reads.filter((id) => id !== table.id && !table.upstream.includes(id));
    table.upstream.push(...new Set(extra));
  }
}

/** A plain SQL file with Jinja (bigquery-etl's `{% if is_init() %}`): rendered, lines mapped back to the file. */
function analyzePlainJinja(input: AnalyzeFileInput): FileAnalysis {
  const rendered = renderJinja(input.text, plainJinjaContext(input));
  const result = analyzeStatements({
    path: input.path,
    sql: rendered.sql,
    dialect: input.dialect,
    lineOf: (line) => rendered.lineMap[line - 1] ?? line,
    modelName: input.role.modelName,
  });
  markLoopColumnsUnknown(result.tables, input.role.modelName, rendered);
  // The branch an unknown condition skips (bigquery-etl's daily `{% else %}` of `is_init()`) reads tables too.
  const other = renderJinja(input.text, { ...plainJinjaContext(input), unknownConditions: "flip" });
  addUpstreamReads(result.tables, rendered.sql, other);
  return {
    version: ANALYSIS_VERSION,
    key: input.key,
    path: input.path,
    tables: result.tables,
    diagnostics: [...jinjaDiagnostics(input.path, rendered.diagnostics), ...result.diagnostics],
  };
}

function jinjaDiagnostics(file: string, diagnostics: readonly JinjaDiagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => ({
    file,
    line: Math.max(1, d.line),
    severity: d.severity,
    message: d.message,
  }));
}

/** A model file longer than this is not analysed at all (the CLI skips such files when it reads them). */
export const MAX_FILE_CHARS = 2 * 1024 * 1024;

/** An oversized file: no tables, and an error that says why, instead of a silent empty result. */
function oversized(input: AnalyzeFileInput): FileAnalysis {
  const message = `${input.path} has ${input.text.length} characters, more than the ${MAX_FILE_CHARS} (2 MiB) Backflow analyses per file: it was skipped, so nothing it produces or reads is in the lineage`;
  return {
    version: ANALYSIS_VERSION,
    key: input.key,
    path: input.path,
    tables: [],
    diagnostics: [{ file: input.path, line: 1, severity: "error", message }],
  };
}

/** Folds the one-per-statement "budget spent" diagnostics into one that says where lineage stopped. */
function foldBudgetDiagnostics(analysis: FileAnalysis, refused: number, budget: number): FileAnalysis {
  const spent = analysis.diagnostics.filter((d) => d.message.includes(PARSE_BUDGET_SPENT));
  const first = spent.reduce((line, d) => Math.min(line, d.line), Number.POSITIVE_INFINITY);
  const folded: Diagnostic = {
    file: analysis.path,
    line: Number.isFinite(first) ? first : 1,
    severity: "warning",
    message: `column-level lineage stopped at line ${Number.isFinite(first) ? first : 1}: the file's parse budget (${budget} characters of SQL) was spent, so ${refused} later statement(s) have table-level lineage only`,
  };
  const others = analysis.diagnostics.filter((d) => !d.message.includes(PARSE_BUDGET_SPENT));
  return { ...analysis, diagnostics: [...others, folded] };
}

/**
 * Analyses one file on its own (no other file is read), so the result can be cached by `key`.
 * Never throws: a file the parser cannot read yields table-level lineage and diagnostics. Work is
 * bounded: files over MAX_FILE_CHARS are skipped, Jinja has a step budget, and parsing a budget of
 * characters per file; each limit that applies is reported as a diagnostic.
 */
export function analyzeFile(input: AnalyzeFileInput): FileAnalysis {
  if (input.text.length > MAX_FILE_CHARS) return oversized(input);
  const budget = input.parseBudgetChars ?? MAX_PARSED_CHARS_PER_FILE;
  const { result, refused } = withParseBudget(budget, () => analyzeWithinBudget(input));
  return refused > 0 ? foldBudgetDiagnostics(result, refused, budget) : result;
}

function analyzeWithinBudget(input: AnalyzeFileInput): FileAnalysis {
  if (input.role.kind === "dbt") return analyzeDbt(input, input.role.project);
  if (hasJinja(input.text)) return analyzePlainJinja(input);
  const result = analyzeStatements({
    path: input.path,
    sql: input.text,
    dialect: input.dialect,
    lineOf: (l) => l,
    modelName: input.role.modelName,
  });
  return { version: ANALYSIS_VERSION, key: input.key, path: input.path, ...result };
}
