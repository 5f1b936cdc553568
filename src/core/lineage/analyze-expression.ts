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
import { type Origin, resolveColumnRef, type Scope } from "./scope.js";

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

/** Functions whose first argument may be a bare date part (`date_part(quarter, d)`, `datediff(day, a, b)`). */
const DATE_PART_FUNCTIONS = new Set([
  "date_part",
  "datepart",
  "datediff",
  "date_diff",
  "dateadd",
  "date_add",
  "date_trunc",
  "timestampadd",
  "timestampdiff",
  "timestamp_diff",
  "timestamp_trunc",
  "last_day",
  "time_slice",
]);

const DATE_PARTS = new Set(
  "year years quarter quarters month months week weeks isoweek day days dayofweek dayofyear hour hours minute minutes second seconds millisecond milliseconds microsecond microseconds nanosecond nanoseconds epoch".split(
    " ",
  ),
);

/** Visits a date function's arguments, skipping a first or last argument that is a bare date part, not a column. */
function visitDatePartCall(
  value: AstNode,
  scope: Scope,
  ctx: QueryContext,
  facts: ExpressionFacts,
  sub: SubqueryAnalyzer,
): void {
  const args = isNode(value.args) && Array.isArray(value.args.value) ? value.args.value : [];
  const isPart = (arg: unknown): boolean => {
    const ref = isNode(arg) ? asColumnRef(arg, ctx.quotedIdentifiers === true) : undefined;
    if (!ref || nameOf(ref.table)) return false;
    return DATE_PARTS.has((nameOf(ref.column) ?? "").toLowerCase());
  };
  args.forEach((arg: unknown, i: number) => {
    if ((i === 0 || i === args.length - 1) && args.length > 1 && isPart(arg)) return;
    visit(arg, scope, ctx, facts, sub);
  });
  if (isNode(value.over)) visit(value.over, scope, ctx, facts, sub);
}

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
  const schema = nameOf(node.schema)?.toLowerCase();
  const line = ctx.lineOf(locationOf(node)?.line ?? 1);
  const origin = resolveColumnRef(scope, { schema, qualifier, column: column.toLowerCase() }, line);
  if (origin) facts.origins.push(origin);
}

/**
 * The arguments of an unknown macro's stand-in: the renderer wrote its string arguments as identifiers only
 * because they look like columns, so every source read there is marked as a guess the linker may drop.
 */
function visitGuessedArguments(
  value: AstNode,
  scope: Scope,
  ctx: QueryContext,
  facts: ExpressionFacts,
  sub: SubqueryAnalyzer,
): void {
  const from = facts.origins.length;
  for (const [key, child] of Object.entries(value)) {
    if (!SKIP_KEYS.has(key) && typeof child === "object" && child !== null)
      visit(child, scope, ctx, facts, sub);
  }
  for (let i = from; i < facts.origins.length; i++) {
    const origin = facts.origins[i] as Origin;
    facts.origins[i] = { ...origin, sources: origin.sources.map((s) => ({ ...s, guessed: true })) };
  }
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
  if (value.type === "function" && DATE_PART_FUNCTIONS.has(plainFunctionName(value) ?? "")) {
    visitDatePartCall(value, scope, ctx, facts, sub);
    return;
  }
  if (value.type === "aggr_func" || value.type === "function" || value.type === "window_func") {
    if (isMacroName(functionNameOf(value))) {
      facts.macro = true;
      if (isNode(value.over)) facts.window = true;
      visitGuessedArguments(value, scope, ctx, facts, sub);
      return;
    }
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
