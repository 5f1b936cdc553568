import { type AstNode, isNode, locationOf, nameOf, nodeArray } from "../sql/ast-nodes.js";
import { analyzeExpression, type SubqueryAnalyzer } from "./analyze-expression.js";
import type { AnalyzedColumn } from "./file-analysis.js";
import type { QueryContext } from "./query-context.js";
import type { RowSource } from "./schema.js";
import { type Origin, originIn, type Scope } from "./scope.js";

type Role = RowSource["role"];

function record(origins: readonly Origin[], role: Role, line: number, ctx: QueryContext): void {
  for (const origin of origins) {
    for (const source of origin.sources) {
      ctx.rowSources.push({
        table: source.table,
        column: source.column,
        role,
        line: origin.direct ? origin.line : line,
        ...(source.candidates ? { candidates: source.candidates } : {}),
      });
    }
  }
}

function recordExpression(
  expr: unknown,
  role: Role,
  scope: Scope,
  ctx: QueryContext,
  sub: SubqueryAnalyzer,
): void {
  if (!isNode(expr)) return;
  const line = ctx.lineOf(locationOf(expr)?.line ?? 1);
  record(analyzeExpression(expr, scope, ctx, sub).origins, role, line, ctx);
}

function groupItems(groupby: unknown): unknown[] {
  if (Array.isArray(groupby)) return groupby;
  return isNode(groupby) && Array.isArray(groupby.columns) ? groupby.columns : [];
}

function recordGroupBy(
  select: AstNode,
  columns: readonly AnalyzedColumn[],
  scope: Scope,
  ctx: QueryContext,
  sub: SubqueryAnalyzer,
): void {
  for (const item of groupItems(select.groupby)) {
    if (isNode(item) && item.type === "number" && typeof item.value === "number") {
      // GROUP BY 2 means the second select item.
      const column = columns[item.value - 1];
      if (column)
        record(
          [{ sources: column.sources, transform: column.transform, line: column.line }],
          "group",
          column.line,
          ctx,
        );
    } else {
      recordExpression(item, "group", scope, ctx, sub);
    }
  }
}

function recordUsing(entry: AstNode, scope: Scope, ctx: QueryContext): void {
  if (!Array.isArray(entry.using)) return;
  const line = ctx.lineOf(locationOf(entry)?.line ?? 1);
  for (const name of entry.using.map(nameOf)) {
    if (!name) continue;
    const origins = scope.entries
      .map((e) => originIn(e.relation, name.toLowerCase(), line))
      .filter((o): o is Origin => o !== undefined);
    record(origins, "join", line, ctx);
  }
}

/**
 * Records the columns that decide which rows a SELECT returns: WHERE, HAVING and QUALIFY (filter),
 * JOIN ON and USING (join), GROUP BY (group, with ordinals resolved to the select list).
 */
export function recordRowSources(
  select: AstNode,
  columns: readonly AnalyzedColumn[],
  scope: Scope,
  ctx: QueryContext,
  sub: SubqueryAnalyzer,
): void {
  for (const entry of nodeArray(select.from)) {
    recordExpression(entry.on, "join", scope, ctx, sub);
    recordUsing(entry, scope, ctx);
  }
  recordExpression(select.where, "filter", scope, ctx, sub);
  recordGroupBy(select, columns, scope, ctx, sub);
  recordExpression(select.having, "filter", scope, ctx, sub);
  recordExpression(select.qualify, "filter", scope, ctx, sub);
}
