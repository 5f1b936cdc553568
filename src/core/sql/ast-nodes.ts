/** Narrow readers over node-sql-parser's untyped AST: every access is checked, nothing is assumed. */

export type AstNode = Readonly<Record<string, unknown>>;

export function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function nodeArray(value: unknown): AstNode[] {
  return Array.isArray(value) ? value.filter(isNode) : [];
}

/** A name that may be a plain string or `{ expr: { value } }` / `{ value }` as the grammars vary. */
export function nameOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!isNode(value)) return undefined;
  if (typeof value.value === "string") return value.value;
  if (isNode(value.expr)) return nameOf(value.expr);
  return undefined;
}

/** `{ start: { offset, line } }` of a node parsed with `includeLocations`. */
export function locationOf(node: AstNode): { start: number; end: number; line: number } | undefined {
  const loc = node.loc;
  if (!isNode(loc) || !isNode(loc.start) || !isNode(loc.end)) return undefined;
  const { offset: start, line } = loc.start;
  const { offset: end } = loc.end;
  if (typeof start !== "number" || typeof end !== "number" || typeof line !== "number") return undefined;
  return { start, end, line };
}

/** Lower-cased, dot-joined table id from a FROM/INTO entry (`db`, `schema`, `table`; BigQuery keeps `p.d.t` in `table`). */
export function tableIdOf(entry: AstNode): string | undefined {
  const table = nameOf(entry.table) ?? nameOf(entry.view);
  if (!table) return undefined;
  const db = nameOf(entry.db) ?? nameOf(entry.catalog);
  const schema = nameOf(entry.schema);
  const parts = [db, schema !== db ? schema : undefined, table].filter((p): p is string => Boolean(p));
  return parts.join(".").toLowerCase();
}

/** Function name of a `function` / `aggr_func` / `window_func` node, lower-cased. */
export function functionNameOf(node: AstNode): string | undefined {
  if (typeof node.name === "string") return node.name.toLowerCase();
  if (isNode(node.name) && Array.isArray(node.name.name)) {
    const parts = node.name.name.map(nameOf).filter((p): p is string => Boolean(p));
    return parts.join(".").toLowerCase() || undefined;
  }
  return undefined;
}

export const MACRO_PREFIX = "__backflow_macro_";

export function isMacroName(name: string | undefined): boolean {
  return name?.toLowerCase().startsWith(MACRO_PREFIX) ?? false;
}

/**
 * The node as a column reference when it is one: a `column_ref`, or an unqualified double-quoted
 * name, which the Snowflake grammar returns as a `double_quote_string` value even where the dialect
 * reads `"x"` as an identifier.
 */
export function asColumnRef(node: AstNode, quotedIdentifiers: boolean): AstNode | undefined {
  if (node.type === "column_ref") return node;
  if (quotedIdentifiers && node.type === "double_quote_string" && typeof node.value === "string") {
    return { type: "column_ref", table: null, column: node.value, ...(node.loc ? { loc: node.loc } : {}) };
  }
  return undefined;
}
