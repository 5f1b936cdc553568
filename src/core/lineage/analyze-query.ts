import {
  type AstNode,
  asColumnRef,
  functionNameOf,
  isMacroName,
  isNode,
  locationOf,
  nameOf,
  nodeArray,
  tableIdOf,
} from "../sql/ast-nodes.js";
import { expressionSql } from "../sql/parse-statement.js";
import type { TableOperator } from "../sql/rewrite-table-operators.js";
import { analyzeExpression } from "./analyze-expression.js";
import { columnFromExpression, columnFromReference, uniqueSources } from "./build-column.js";
import type { AnalyzedColumn } from "./file-analysis.js";
import { windowsOf } from "./named-windows.js";
import { expressionText, locateName, type QueryContext } from "./query-context.js";
import { recordRowSources } from "./record-row-sources.js";
import type { Transform } from "./schema.js";
import {
  findCte,
  newScope,
  type Origin,
  type Relation,
  resolveColumnRef,
  type Scope,
  STRUCT_FIELDS_PREFIX,
  UNKNOWN_COLUMNS,
} from "./scope.js";
import { expandStar } from "./select-star.js";
import { applyTableOperators } from "./table-operators.js";

function toOrigin(column: AnalyzedColumn): Origin {
  return {
    sources: column.sources,
    transform: column.transform,
    line: column.line,
    ...(column.expression !== undefined ? { expression: column.expression } : {}),
  };
}

/** Output origins of a subquery used as a value (scalar, IN, EXISTS): outer columns stay visible. */
export function subqueryOrigins(ast: AstNode, scope: Scope, ctx: QueryContext): Origin[] {
  // A `*` item (`(SELECT * FROM t)`, `(SELECT AS STRUCT x.*)`) is a value of columns nobody lists here.
  const origins = analyzeQuery(ast, scope, ctx).map((c) =>
    c.star ? { sources: [], transform: "unknown" as const, line: c.line } : toOrigin(c),
  );
  // `(SELECT COUNT(*) FROM UNNEST(items))` reads `items` though no select item names it: the array (or
  // any expression, such as a table function's arguments) a subquery's FROM takes from the outer row
  // is what its value is computed from.
  const unnested = nodeArray(ast.from).flatMap((entry) =>
    (entry.type === "unnest" || isNode(entry.expr)) && !(isNode(entry.expr) && isNode(entry.expr.ast))
      ? analyzeExpression(entry.expr, scope, ctx, subqueryOrigins).origins.flatMap((o) => o.sources)
      : [],
  );
  if (unnested.length === 0) return origins;
  return origins.map((o) => ({ ...o, sources: uniqueSources([...o.sources, ...unnested]) }));
}

const STRENGTH: readonly Transform[] = [
  "passthrough",
  "rename",
  "constant",
  "expression",
  "aggregate",
  "window",
  "unknown",
];

/** The other branches' `*` at position `i`, when every branch is a lone `*` there (merged at link time). */
function unionStars(column: AnalyzedColumn, others: Array<AnalyzedColumn | undefined>): AnalyzedColumn {
  const union = others.flatMap((c) =>
    c?.star ? [{ table: c.star.table, except: c.star.except }, ...(c.star.union ?? [])] : [],
  );
  const star = column.star;
  if (!star || union.length === 0) return column;
  return { ...column, star: { ...star, union: [...(star.union ?? []), ...union] } };
}

/**
 * UNION/INTERSECT/EXCEPT: names from the first branch, sources from every branch by position. A `*`
 * over a table is merged with the other branches' `*` at the same position; where a `*` faces named
 * columns (positions unknown until the table's columns are), the sources of that branch cannot be
 * matched, which is said in a warning rather than dropped silently.
 */
function mergeBranches(branches: AnalyzedColumn[][], ctx: QueryContext): AnalyzedColumn[] {
  const [first, ...rest] = branches;
  if (!first) return [];
  const aligned = branches.every(
    (b) => b.length === first.length && b.every((c, i) => !!c.star === !!first[i]?.star),
  );
  if (!aligned && branches.some((b) => b.some((c) => c.star))) {
    ctx.warnings.push({
      line: first[0]?.line ?? ctx.lineOf(1),
      message:
        "a set operation (UNION, EXCEPT, INTERSECT) mixes * with named columns; the columns of branches after the first that a * stands for are not matched by position",
    });
  }
  return first.map((column, i) => {
    if (column.star)
      return aligned
        ? unionStars(
            column,
            rest.map((b) => b[i]),
          )
        : column;
    const others = rest.map((b) => b[i]).filter((c): c is AnalyzedColumn => c !== undefined && !c.star);
    if (others.length === 0) return column;
    const transform = [column, ...others]
      .map((c) => c.transform)
      .reduce((a, b) => (STRENGTH.indexOf(b) > STRENGTH.indexOf(a) ? b : a));
    return { ...column, transform, sources: uniqueSources([column, ...others].flatMap((c) => c.sources)) };
  });
}

/** Columns of a query expression (a SELECT, possibly with set operations chained through `_next`). */
export function analyzeQuery(ast: AstNode, parent: Scope | undefined, ctx: QueryContext): AnalyzedColumn[] {
  const branches: AnalyzedColumn[][] = [];
  let op = "";
  // The WITH clause hangs on the first branch but its CTEs are visible to every branch of the set operation
  // (the second branch's `from condition` was read as a table named `condition`).
  const shared = nodeArray(ast.with).length > 0 && isNode(ast._next) ? newScope(parent) : undefined;
  if (shared) registerCtes(ast, shared, ctx);
  let byName = false;
  let previous: AstNode | undefined;
  for (let node: unknown = ast; isNode(node); node = node._next) {
    if (previous && joinedByName(previous, node, ctx)) byName = true;
    previous = node;
    const columns = analyzeSelect(node, shared ?? parent, ctx, shared !== undefined && node === ast);
    // EXCEPT / MINUS: the later branch only removes rows; its values never reach the output. A branch
    // joined by no operator the grammar names (Snowflake's MINUS read as an alias) is not merged either.
    if (branches.length === 0 || /^(union|intersect)/i.test(op)) branches.push(columns);
    else if (!/^(except|minus)/i.test(op))
      ctx.warnings.push({
        line: columns[0]?.line ?? ctx.lineOf(1),
        message:
          "a set operation the parser could not name (MINUS?) joins this query; its later branch is not counted as a source",
      });
    op = typeof node.set_op === "string" ? node.set_op : "";
  }
  return byName ? mergeByName(branches) : mergeBranches(branches, ctx);
}

/** Whether the set operation between two branches was `… BY NAME` (its marker lies between them). */
function joinedByName(previous: AstNode, next: AstNode, ctx: QueryContext): boolean {
  const markers = ctx.starModifiers.filter((m) => m.kind === "byName");
  if (markers.length === 0) return false;
  const end = locationOf(previous)?.end;
  const start = locationOf(next)?.start;
  if (end === undefined || start === undefined) return false;
  return markers.some((m) => m.offset >= end && m.offset < start);
}

/**
 * UNION … BY NAME (and `dbt_utils.union_relations`): each output column is matched by name in every
 * branch. Named columns merge their sources; the branches' `*`s become one `*` whose tables are merged by
 * name when their columns are known (at link time). A `*` that is itself a positional union or has
 * REPLACE is not merged: the output is unknown.
 */
function mergeByName(branches: AnalyzedColumn[][]): AnalyzedColumn[] {
  const named = new Map<string, AnalyzedColumn[]>();
  const stars: AnalyzedColumn[] = [];
  for (const branch of branches) {
    for (const column of branch) {
      if (column.star) stars.push(column);
      else named.set(column.name, [...(named.get(column.name) ?? []), column]);
    }
  }
  const out: AnalyzedColumn[] = [...named.values()].map((same) => {
    const [first] = same as [AnalyzedColumn, ...AnalyzedColumn[]];
    if (same.length === 1) return first;
    const transform = same
      .map((c) => c.transform)
      .reduce((a, b) => (STRENGTH.indexOf(b) > STRENGTH.indexOf(a) ? b : a));
    return { ...first, transform, sources: uniqueSources(same.flatMap((c) => c.sources)) };
  });
  const [head, ...rest] = stars;
  if (!head?.star) return out;
  if (stars.some((c) => c.star?.union?.length || c.star?.replace.length)) {
    out.push({ name: UNKNOWN_COLUMNS, line: head.line, transform: "unknown", sources: [] });
    return out;
  }
  const union = rest.flatMap((c) => (c.star ? [{ table: c.star.table, except: c.star.except }] : []));
  out.push({ ...head, star: { ...head.star, ...(union.length > 0 ? { union } : {}), byName: true } });
  return out;
}

function registerCtes(select: AstNode, scope: Scope, ctx: QueryContext): void {
  for (const cte of nodeArray(select.with)) {
    const name = nameOf(cte.name)?.toLowerCase();
    const stmt = isNode(cte.stmt) && isNode(cte.stmt.ast) ? cte.stmt.ast : cte.stmt;
    if (!name || !isNode(stmt)) continue;
    // A recursive CTE (a UNION whose branch reads the CTE) reads itself; any other body that names the CTE
    // reads the table of that name (`with medical_claim as (select … from medical_claim m …)`).
    // While its own body is analysed, its columns are not known yet: `cte.col` there is unknown, never
    // read as a struct column of some other table.
    if (isNode(stmt._next)) {
      const line = ctx.lineOf(locationOf(cte)?.line ?? 1);
      const self: AnalyzedColumn = { name: UNKNOWN_COLUMNS, line, transform: "unknown", sources: [] };
      scope.ctes.set(name, { kind: "derived", columns: [self] });
    }
    let columns = analyzeQuery(stmt, scope, ctx);
    const renames = Array.isArray(cte.columns) ? cte.columns.map(nameOf) : [];
    if (renames.length > 0) {
      columns = columns.map((c, i) => ({ ...c, name: renames[i]?.toLowerCase() ?? c.name }));
    }
    scope.ctes.set(name, { kind: "derived", columns });
  }
}

function relationOfTable(entry: AstNode, scope: Scope, ctx: QueryContext): Relation | undefined {
  const id = tableIdOf(entry);
  if (!id) return undefined;
  // A macro standing for a table (`from {{ union_relations(...) }}`): its columns are unknown, not absent.
  if (isMacroName(id)) {
    const line = ctx.lineOf(locationOf(entry)?.line ?? 1);
    return {
      kind: "derived",
      columns: [{ name: UNKNOWN_COLUMNS, line, transform: "unknown", sources: [], expression: id }],
    };
  }
  const cte = nameOf(entry.db) ? undefined : findCte(scope, id);
  if (cte) return cte;
  const temporary = ctx.temporary.get(id);
  if (temporary) {
    for (const table of temporary.upstream) ctx.upstream.add(table);
    ctx.rowSources.push(...temporary.rowSources);
    return temporary.relation;
  }
  ctx.upstream.add(id);
  return { kind: "base", id };
}

function relationOfEntry(entry: AstNode, scope: Scope, ctx: QueryContext): Relation | undefined {
  if (isNode(entry.expr) && isNode(entry.expr.ast)) {
    return { kind: "derived", columns: analyzeQuery(entry.expr.ast, scope, ctx) };
  }
  if (entry.type === "unnest" || isNode(entry.expr)) {
    const facts = analyzeExpression(entry.expr, scope, ctx, subqueryOrigins);
    const line = ctx.lineOf(
      locationOf(entry)?.line ?? (isNode(entry.expr) ? locationOf(entry.expr)?.line : undefined) ?? 1,
    );
    const sources = uniqueSources(facts.origins.flatMap((o) => o.sources));
    return { kind: "value", origin: { sources, transform: "expression", line } };
  }
  if (nameOf(entry.table)) return relationOfTable(entry, scope, ctx);
  return undefined;
}

/** The PIVOT/UNPIVOT operators applied to this FROM entry, matched by offset (or alias without locations). */
function operatorsOf(entry: AstNode, alias: string, ctx: QueryContext): TableOperator[] {
  const operators = ctx.tableOperators ?? [];
  if (operators.length === 0) return [];
  const start = locationOf(entry)?.start;
  const mine = operators.filter((op) =>
    start !== undefined ? op.relationStart === start : op.alias !== undefined && op.alias === alias,
  );
  for (const op of mine) ctx.appliedOperators?.add(op.offset);
  return mine;
}

const JOIN_WORDS = new Set([
  "cross",
  "natural",
  "inner",
  "left",
  "right",
  "full",
  "outer",
  "join",
  "lateral",
]);

const FLATTEN_COLUMNS = ["seq", "key", "path", "index", "value", "this"];

/** Functions whose array holds scalars, never structs: an UNNEST of them has no fields to read. */
const SCALAR_ARRAYS = new Set([
  "generate_array",
  "generate_date_array",
  "generate_timestamp_array",
  "split",
  "regexp_extract_all",
  "json_extract_array",
  "json_extract_string_array",
  "json_value_array",
  "json_query_array",
]);

/** Whether an UNNEST's array is known to hold scalars (`[1, 2]`, `GENERATE_DATE_ARRAY(…)`, `SPLIT(s)`). */
function yieldsScalars(expr: unknown): boolean {
  if (!isNode(expr)) return false;
  if (expr.type === "array") {
    const items = nodeArray(expr.array_path);
    return (
      items.length > 0 &&
      items.every((i) => isNode(i.expr) && /string|number|bool|null/.test(String(i.expr.type)))
    );
  }
  // The BigQuery grammar may put a bare function name in `name.schema`, with an empty `name.name`.
  const name = (
    functionNameOf(expr) ?? (isNode(expr.name) ? nameOf(expr.name.schema) : undefined)
  )?.toLowerCase();
  return name !== undefined && SCALAR_ARRAYS.has(name.split(".").pop() ?? name);
}

function buildFrom(select: AstNode, scope: Scope, ctx: QueryContext): void {
  for (const entry of nodeArray(select.from)) {
    // Snowflake's grammar reads `cross join a cross join b` with `cross` as a's alias: a join word names nothing.
    const written = nameOf(entry.as)?.toLowerCase();
    const alias = (written && !JOIN_WORDS.has(written) ? written : (tableIdOf(entry) ?? "")).toLowerCase();
    const bare = alias.split(".").pop() ?? alias;
    let relation = relationOfEntry(entry, scope, ctx);
    const operators = operatorsOf(entry, bare, ctx);
    if (relation && operators.length > 0) relation = applyTableOperators(relation, operators, bare, ctx);
    if (relation) scope.entries.push({ alias: bare, relation });
    // Snowflake's FLATTEN outputs SEQ, KEY, PATH, INDEX, VALUE, THIS, read unqualified as often as not.
    if (relation?.kind === "value" && isNode(entry.expr) && entry.expr.type === "flatten") {
      for (const name of FLATTEN_COLUMNS) scope.entries.push({ alias: name, relation });
    }
    // An UNNEST's struct fields are read unqualified, with or without an alias (`SELECT value FROM
    // UNNEST(history)`, `FROM t, UNNEST(t.h) AS h1` then `SELECT metric`), and nobody lists their names: an
    // unqualified column is the outer table's only if that table is known to have it, else unknown.
    if (relation?.kind === "value" && entry.type === "unnest" && !yieldsScalars(entry.expr)) {
      const line = relation.origin.line;
      const fields: AnalyzedColumn = { name: UNKNOWN_COLUMNS, line, transform: "unknown", sources: [] };
      const structFields = `${STRUCT_FIELDS_PREFIX}UNNEST${written ? ` AS ${written}` : ""} at line ${line}`;
      scope.entries.push({ alias: "", relation: { kind: "derived", columns: [fields] }, structFields });
    }
    for (const column of Array.isArray(entry.using) ? entry.using.map(nameOf) : []) {
      if (column) scope.usingColumns.add(column.toLowerCase());
    }
  }
}

function outputName(item: AstNode, expr: AstNode | undefined, index: number): string {
  const alias = nameOf(item.as);
  if (alias) return alias.toLowerCase();
  if (expr?.type === "column_ref") {
    // `metrics.day_6.new_profiles` (a struct field path) is named by its last field, as BigQuery does.
    const fields = Array.isArray(expr.subFields) ? expr.subFields : [];
    const last = fields.length > 0 ? nameOf(fields[fields.length - 1]) : undefined;
    return (last ?? nameOf(expr.column) ?? `_col${index}`).toLowerCase();
  }
  const fn = expr ? functionNameOf(expr) : undefined;
  return fn && !isMacroName(fn) ? (fn.split(".").pop() ?? fn) : `_col${index}`;
}

function itemText(item: AstNode, expr: AstNode, name: string, ctx: QueryContext): string {
  const exprLoc = locationOf(expr);
  if (exprLoc) return expressionText(ctx, exprLoc.start, exprLoc.end);
  const itemLoc = locationOf(item);
  if (!itemLoc) return expressionSql(expr, ctx.database);
  const text = expressionText(ctx, itemLoc.start, itemLoc.end);
  return text.replace(new RegExp(`\\s+(as\\s+)?[\`"]?${name.replace(/\W/g, "")}[\`"]?$`, "i"), "");
}

function selectItem(item: AstNode, index: number, scope: Scope, ctx: QueryContext): AnalyzedColumn[] {
  const raw = isNode(item.expr) ? item.expr : undefined;
  if (!raw) return [];
  const expr = asColumnRef(raw, ctx.quotedIdentifiers === true) ?? raw;
  if (expr.type === "column_ref" && nameOf(expr.column) === "*") return expandStar(item, expr, scope, ctx);
  const name = outputName(item, expr, index);
  const line = ctx.lineOf(locationOf(item)?.line ?? locationOf(expr)?.line ?? locateName(ctx, name));
  const column = nameOf(expr.column);
  if (expr.type === "column_ref" && column && !isMacroName(column)) {
    const qualifier = nameOf(expr.table)?.toLowerCase();
    const schema = nameOf(expr.schema)?.toLowerCase();
    const origin = resolveColumnRef(scope, { schema, qualifier, column: column.toLowerCase() }, line);
    const fieldPath =
      (Array.isArray(expr.subFields) && expr.subFields.length > 0) ||
      (schema !== undefined &&
        origin !== undefined &&
        !origin.sources.some((s) => s.column === column.toLowerCase()));
    // A struct field (`metrics.day_6.new_profiles`) is part of the column's value, not the column moved.
    if (origin && fieldPath && (origin.transform === "passthrough" || origin.transform === "rename"))
      return [{ name, line, transform: "expression", sources: [...origin.sources] }];
    if (origin) return [columnFromReference(name, origin, line)];
    return [{ name, line, transform: "unknown", sources: [], expression: itemText(item, expr, name, ctx) }];
  }
  const facts = analyzeExpression(expr, scope, ctx, subqueryOrigins);
  const text = itemText(item, expr, name, ctx);
  const fieldsStar = isFieldsStar(item, expr, ctx);
  if (fieldsStar || isBareMacroItem(item, expr)) {
    // `fn(x).*`: the value's fields, whose names nobody lists here; each comes from what the value reads.
    const column = columnFromExpression(UNKNOWN_COLUMNS, facts, line, fieldsStar ? `${text}.*` : text);
    return [{ ...column, transform: "unknown" }];
  }
  return [columnFromExpression(name, facts, line, text)];
}

/**
 * A select item that is an unknown macro with no alias (`{{ dbt_utils.pivot(...) }}`, `{{ star(...) }}`)
 * may render to any number of columns: one `*` of unknown names read from its arguments, not one column.
 */
function isBareMacroItem(item: AstNode, expr: AstNode): boolean {
  if (nameOf(item.as)) return false;
  const name = expr.type === "column_ref" ? nameOf(expr.column) : functionNameOf(expr);
  return isMacroName(name);
}

function isFieldsStar(item: AstNode, expr: AstNode, ctx: QueryContext): boolean {
  const loc = locationOf(item) ?? locationOf(expr);
  if (!loc) return false;
  return ctx.starModifiers.some((m) => m.kind === "fields" && m.offset >= loc.start && m.offset < loc.end);
}

/**
 * Makes an item's alias visible to later items. Not when the item reads a column of the same name
 * (`coalesce(amount, 0) as amount`): the FROM table has that column, and a table column wins.
 */
function addLateral(scope: Scope, column: AnalyzedColumn): void {
  if (column.star || scope.lateral.has(column.name)) return;
  if (column.sources.some((s) => s.column === column.name)) return;
  scope.lateral.set(column.name, { ...toOrigin(column), transform: "expression" });
}

/** Columns of one SELECT, resolving CTEs, FROM entries and row sources into `ctx`. */
function analyzeSelect(
  select: AstNode,
  parent: Scope | undefined,
  ctx: QueryContext,
  ctesRegistered = false,
): AnalyzedColumn[] {
  const scope = newScope(parent);
  for (const [name, spec] of windowsOf(select)) scope.windows.set(name, spec);
  if (!ctesRegistered) registerCtes(select, scope, ctx);
  buildFrom(select, scope, ctx);
  const columns: AnalyzedColumn[] = [];
  for (const [i, item] of nodeArray(select.columns).entries()) {
    const made = selectItem(item, i + 1, scope, ctx);
    columns.push(...made);
    if (ctx.lateralAliases) for (const column of made) addLateral(scope, column);
  }
  recordRowSources(select, columns, scope, ctx, subqueryOrigins);
  return columns;
}
