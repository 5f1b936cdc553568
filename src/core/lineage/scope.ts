import type { AnalyzedColumn, SourceRef } from "./file-analysis.js";
import type { Transform } from "./schema.js";

/** Where a value comes from, as far as one file can tell. */
export type Origin = {
  readonly sources: readonly SourceRef[];
  readonly transform: Transform;
  readonly line: number;
  readonly expression?: string;
  /** True when the value is a base table's column read as is (no CTE or subquery in between). */
  readonly direct?: boolean;
};

/** A relation in FROM: a real table, a CTE/subquery/temp table with analysed columns, or an UNNEST value. */
export type Relation =
  | { readonly kind: "base"; readonly id: string }
  | { readonly kind: "derived"; readonly columns: readonly AnalyzedColumn[] }
  | { readonly kind: "value"; readonly origin: Origin };

/**
 * Name of a derived relation's column that stands for columns nobody can list (a dynamic PIVOT, a `*`
 * over such a relation): a column not named otherwise comes from there, of unknown origin.
 */
export const UNKNOWN_COLUMNS = "*";

/** Whether the relation may hold columns of unknown origin besides those it names. */
function hasUnknownColumns(relation: Relation): boolean {
  return relation.kind === "derived" && relation.columns.some((c) => !c.star && c.name === UNKNOWN_COLUMNS);
}

export type ScopeEntry = {
  readonly alias: string;
  readonly relation: Relation;
  /**
   * Set on the entry standing for an UNNEST's struct fields, which BigQuery lets a query read unqualified
   * (`FROM t, UNNEST(t.items) AS i` then `SELECT metric`): the pseudo table id the cross-file pass offers as
   * the other candidate of an unqualified column, so the column is `t`'s only when `t` is known to have it.
   */
  readonly structFields?: string;
};

/** Prefix of the pseudo table ids of UNNEST struct fields; never a table id, never reported as a source. */
export const STRUCT_FIELDS_PREFIX = "\u0000unnest:";

export type Scope = {
  readonly entries: ScopeEntry[];
  readonly ctes: Map<string, Relation>;
  readonly usingColumns: Set<string>;
  /** Aliases of the SELECT's earlier items, in dialects with lateral column aliases. */
  readonly lateral: Map<string, Origin>;
  /** The SELECT's `WINDOW name AS (…)` specifications, by lower-case name. */
  readonly windows: Map<string, Readonly<Record<string, unknown>>>;
  readonly parent?: Scope;
};

export function newScope(parent?: Scope): Scope {
  return {
    entries: [],
    ctes: new Map(),
    usingColumns: new Set(),
    lateral: new Map(),
    windows: new Map(),
    ...(parent ? { parent } : {}),
  };
}

export function findCte(scope: Scope | undefined, name: string): Relation | undefined {
  for (let s = scope; s; s = s.parent) {
    const found = s.ctes.get(name);
    if (found) return found;
  }
  return undefined;
}

function originOfColumn(column: AnalyzedColumn): Origin {
  return {
    sources: column.sources,
    transform: column.transform,
    line: column.line,
    ...(column.expression !== undefined ? { expression: column.expression } : {}),
  };
}

/** Tables a `*` of this relation stands for, when the column is not listed by name. */
function starTables(relation: Relation): string[] {
  if (relation.kind === "base") return [relation.id];
  if (relation.kind === "value") return [];
  return relation.columns.flatMap((c) =>
    c.star ? [c.star.table, ...(c.star.byName ? (c.star.union ?? []).map((u) => u.table) : [])] : [],
  );
}

function hasNamed(relation: Relation, column: string): boolean {
  return relation.kind === "derived" && relation.columns.some((c) => !c.star && c.name === column);
}

/** The origin of `column` inside one relation, or undefined when the relation cannot hold it. */
export function originIn(relation: Relation, column: string, line: number): Origin | undefined {
  if (relation.kind === "value") return relation.origin;
  if (relation.kind === "base") {
    return { sources: [{ table: relation.id, column }], transform: "passthrough", line, direct: true };
  }
  const named = relation.columns.find((c) => !c.star && c.name === column);
  if (named) return originOfColumn(named);
  if (hasUnknownColumns(relation)) return { sources: [], transform: "unknown", line };
  const byName = relation.columns.find((c) => c.star?.byName);
  if (byName?.star) {
    // A union by name: the column comes from every branch table that has it (decided at link time).
    const branches = [byName.star, ...(byName.star.union ?? [])].filter((b) => !b.except.includes(column));
    if (branches.length === 0) return undefined;
    const sources: SourceRef[] = branches.map((b) => ({ table: b.table, column, ifPresent: true }));
    return { sources, transform: "passthrough", line, direct: true };
  }
  const stars = relation.columns.filter((c) => c.star && !c.star.except.includes(column));
  const tables = [...new Set(stars.map((c) => c.star?.table ?? ""))];
  const first = tables[0];
  if (first === undefined) return undefined;
  const ref: SourceRef =
    tables.length === 1 ? { table: first, column } : { table: first, column, candidates: tables };
  return { sources: [ref], transform: "passthrough", line, direct: true };
}

export function entryFor(scope: Scope, qualifier: string): ScopeEntry | undefined {
  return scope.entries.find(
    (e) =>
      e.alias === qualifier ||
      (e.relation.kind === "base" &&
        (e.relation.id === qualifier || e.relation.id.endsWith(`.${qualifier}`))),
  );
}

/** A whole row of a relation used as one value: every column it lists, unknown when it lists none. */
function rowOrigin(relation: Relation, line: number): Origin {
  if (relation.kind !== "derived" || relation.columns.some((c) => c.star || c.name === UNKNOWN_COLUMNS))
    return { sources: [], transform: "unknown", line };
  const sources = relation.columns.flatMap((c) => c.sources);
  return {
    sources: [...new Map(sources.map((s) => [`${s.table}.${s.column}`, s])).values()],
    transform: "expression",
    line,
  };
}

function resolveUnqualified(scope: Scope, column: string, line: number): Origin | undefined {
  const named = scope.entries.filter((e) => hasNamed(e.relation, column));
  const lateral = named.length === 0 ? scope.lateral.get(column) : undefined;
  if (lateral) return lateral;
  const pick =
    named.length > 0 ? named : scope.entries.filter((e) => e.alias === column && e.relation.kind === "value");
  if (pick.length > 0) return originIn((pick[0] as ScopeEntry).relation, column, line);
  // BigQuery reads a table alias as a value (`IF(c, a, b).*`, `TO_JSON(t)`): the whole row.
  const row = scope.entries.find((e) => e.alias === column && e.relation.kind !== "value");
  if (row) return rowOrigin(row.relation, line);
  const open = scope.entries.filter(
    (e) => starTables(e.relation).length > 0 || hasUnknownColumns(e.relation),
  );
  if (open.length === 0) return undefined;
  const fields = open.flatMap((e) => (e.structFields !== undefined ? [e.structFields] : []));
  const outer = open.filter((e) => e.structFields === undefined);
  if (fields.length > 0 && outer.length > 0 && !outer.some((e) => hasUnknownColumns(e.relation))) {
    // A table's column or an UNNEST's struct field: decided once the table's columns are known.
    const ids = [...new Set(outer.flatMap((e) => starTables(e.relation)))];
    return {
      sources: [{ table: ids[0] as string, column, candidates: [...ids, ...fields] }],
      transform: "passthrough",
      line,
      direct: true,
    };
  }
  if (open.some((e) => hasUnknownColumns(e.relation))) return { sources: [], transform: "unknown", line };
  if (open.length === 1 || scope.usingColumns.has(column)) {
    return originIn((open[0] as ScopeEntry).relation, column, line);
  }
  const tables = [...new Set(open.flatMap((e) => starTables(e.relation)))];
  return {
    sources: [{ table: tables[0] as string, column, candidates: tables }],
    transform: "passthrough",
    line,
    direct: true,
  };
}

/**
 * Resolves `qualifier.column` (or an unqualified column) through the scope chain, inner scopes first,
 * so correlated subqueries see the outer query. A qualifier that names no relation is read as a struct
 * column (`address.city` → `address`).
 */
export function resolveColumn(
  scope: Scope,
  qualifier: string | undefined,
  column: string,
  line: number,
): Origin | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (qualifier) {
      const entry = entryFor(s, qualifier);
      if (entry) return originIn(entry.relation, column, line);
    } else {
      const found = resolveUnqualified(s, column, line);
      if (found) return found;
    }
  }
  return qualifier ? resolveColumn(scope, undefined, qualifier, line) : undefined;
}

/** Whether `qualifier` names a relation in the scope chain. */
function namesRelation(scope: Scope, qualifier: string): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (entryFor(s, qualifier)) return true;
  return false;
}

/**
 * Resolves a column reference of up to three parts. `a.b.c` that a grammar read as schema.table.column
 * where no relation is named `b` (nor `a.b`) is a struct path, as BigQuery reads it: column `b` of the
 * relation aliased `a`, or the struct column `a`, never a column `b` of some other table.
 */
export function resolveColumnRef(
  scope: Scope,
  ref: { schema?: string; qualifier?: string; column: string },
  line: number,
): Origin | undefined {
  const { schema, qualifier, column } = ref;
  if (
    schema &&
    qualifier &&
    !namesRelation(scope, qualifier) &&
    !namesRelation(scope, `${schema}.${qualifier}`)
  )
    return resolveColumn(scope, schema, qualifier, line);
  return resolveColumn(scope, qualifier, column, line);
}
