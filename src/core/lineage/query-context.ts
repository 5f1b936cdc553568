import type { ParserDatabase } from "../sql/dialects.js";
import type { StarModifier } from "../sql/rewrite-for-parser.js";
import type { TableOperator } from "../sql/rewrite-table-operators.js";
import type { AnalyzedRowSource } from "./file-analysis.js";
import type { Relation } from "./scope.js";

export type TemporaryTable = {
  readonly relation: Relation;
  readonly upstream: readonly string[];
  readonly rowSources: readonly AnalyzedRowSource[];
};

/** What the analysis of one statement accumulates and needs besides the AST. */
export type QueryContext = {
  /** The statement's original text (before rewrites; offsets are the same). */
  readonly text: string;
  /** The dialect the file is written in (PIVOT output names differ between dialects). */
  readonly dialect?: string;
  /** PIVOT / UNPIVOT lifted out of the statement text, applied to their FROM relations. */
  readonly tableOperators?: readonly TableOperator[];
  /** Offsets of the operators tied to a FROM entry; one left over means the statement's columns are unknown. */
  readonly appliedOperators?: Set<number>;
  /** The grammar that parsed the statement. */
  readonly database: ParserDatabase;
  /** Whether the dialect reads `"x"` as an identifier, whatever the grammar that parsed it. */
  readonly quotedIdentifiers?: boolean;
  /** Whether later select items (and WHERE, GROUP BY) may name an earlier item's alias. */
  readonly lateralAliases?: boolean;
  /** Statement-local 1-based line → line of the file the user wrote. */
  readonly lineOf: (localLine: number) => number;
  readonly starModifiers: readonly StarModifier[];
  /** Temporary tables created by earlier statements of the same file: intermediates, not outputs. */
  readonly temporary: ReadonlyMap<string, TemporaryTable>;
  readonly upstream: Set<string>;
  readonly rowSources: AnalyzedRowSource[];
  readonly warnings: Array<{ line: number; message: string }>;
};

/** The SQL text of a span, whitespace collapsed and capped so it stays readable in a report. */
export function expressionText(ctx: QueryContext, start: number, end: number): string {
  const text = ctx.text.slice(start, end).replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Statement-local line of a select item when the grammar gave no location: the first `AS name`,
 * else the first word `name`, else the statement's first line. Only grammars without locations need it.
 */
export function locateName(ctx: QueryContext, name: string): number {
  const word = escapeRegExp(name);
  const match =
    new RegExp(`\\bas\\s+[\`"]?${word}\\b`, "i").exec(ctx.text) ??
    new RegExp(`\\b${word}\\b`, "i").exec(ctx.text);
  return match ? localLineAt(ctx.text, match.index) : 1;
}

/** Statement-local 1-based line of `offset` in the statement's text. */
export function localLineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
