import {
  type AstNode,
  asColumnRef,
  functionNameOf,
  isMacroName,
  isNode,
  locationOf,
  nameOf,
} from "../sql/ast-nodes.js";
import { namedWindowSpecs } from "./named-windows.js";
import type { QueryContext } from "./query-context.js";
import { type Origin, resolveColumn, type Scope } from "./scope.js";

/** What an expression reads and how: the origins of its columns and the kinds of function around them. */
export type ExpressionFacts = {
  origins: Origin[];
  aggregate: boolean;
  window: boolean;
  macro: boolean;
};

/** Analyses a subquery inside an expression; injected to break the module cycle with analyze-query. */
export type SubqueryAnalyzer = (ast: AstNode, scope: Scope, ctx: QueryContext) => Origin[];

const SKIP_KEYS = new Set(["loc", "tableList", "columnList"]);

/** Aggregates some grammars read as plain functions (BigQuery's reads `STRING_AGG(a, ',')` as one). */
const AGGREGATE_FUNCTIONS = new Set([
  "array_agg",
  "array_concat_agg",
  "string_agg",
  "listagg",
  "any_value",
  "countif",
  "count_if",
  "logical_and",
  "logical_or",
  "approx_count_distinct",
  "approx_quantiles",
  "approx_top_count",
  "approx_top_sum",
  "bit_and",
  "bit_or",
  "bit_xor",
  "max_by",
  "min_by",
]);

/** `name`, also where BigQuery's grammar puts a plain function's name (`{ name: [], schema: name }`). */
function plainFunctionName(node: AstNode): string | undefined {
  const name = node.name;
  if (isNode(name) && Array.isArray(name.name) && name.name.length === 0)
    return nameOf(name.schema)?.toLowerCase();
  return functionNameOf(node);
}

function visitColumnRef(node: AstNode, scope: Scope, ctx: QueryContext, facts: ExpressionFacts): void {
  const column = nameOf(node.column);
  if (!column || column === "*") return;
  if (isMacroName(column)) {
    facts.macro = true;
    return;
  }
  const qualifier = nameOf(node.table)?.toLowerCase();
  const line = ctx.lineOf(locationOf(node)?.line ?? 1);
  const origin = resolveColumn(scope, qualifier, column.toLowerCase(), line);
  if (origin) facts.origins.push(origin);
}

function visit(
  value: unknown,
  scope: Scope,
  ctx: QueryContext,
  facts: ExpressionFacts,
  sub: SubqueryAnalyzer,
): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, scope, ctx, facts, sub);
    return;
  }
  if (!isNode(value)) return;
  const ref = asColumnRef(value, ctx.quotedIdentifiers === true);
  if (ref) {
    visitColumnRef(ref, scope, ctx, facts);
    return;
  }
  if (isNode(value.ast)) {
    facts.origins.push(...sub(value.ast, scope, ctx));
    return;
  }
  if (value.type === "select" && Array.isArray(value.columns)) {
    facts.origins.push(...sub(value, scope, ctx));
    return;
  }
  if (value.type === "aggr_func" || value.type === "function" || value.type === "window_func") {
    if (isMacroName(functionNameOf(value))) facts.macro = true;
  }
  // Any node with an OVER clause is a window function (BigQuery's grammar has node types like `any_value`).
  if (isNode(value.over)) facts.window = true;
  else if (value.type === "aggr_func" || value.type === "any_value") facts.aggregate = true;
  else if (value.type === "function" && AGGREGATE_FUNCTIONS.has(plainFunctionName(value) ?? ""))
    facts.aggregate = true;
  for (const [key, child] of Object.entries(value)) {
    if (!SKIP_KEYS.has(key) && typeof child === "object" && child !== null)
      visit(child, scope, ctx, facts, sub);
  }
  // After the arguments and inline PARTITION BY / ORDER BY: the named window's, in that order.
  if (isNode(value.over)) {
    for (const spec of namedWindowSpecs(value.over, scope)) visit(spec, scope, ctx, facts, sub);
  }
}

/**
 * Collects the columns an expression reads (resolved through the scope), and whether it aggregates,
 * is a window function, or calls an unknown dbt macro. Window functions' PARTITION BY and ORDER BY
 * columns count as sources: they decide which rows feed the value.
 */
export function analyzeExpression(
  expr: unknown,
  scope: Scope,
  ctx: QueryContext,
  sub: SubqueryAnalyzer,
): ExpressionFacts {
  const facts: ExpressionFacts = { origins: [], aggregate: false, window: false, macro: false };
  visit(expr, scope, ctx, facts, sub);
  return facts;
}
