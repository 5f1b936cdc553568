import type { ChangeClass } from "../contracts/contract-change.js";
import type { LineageColumn, LineageGraph, LineageTable } from "../lineage/schema.js";
import type { LineageChange, LineageChangeKind, RowLevelChange } from "./impact-report.js";
import { normalizeSql } from "./normalize-sql.js";

/** A lineage change before severity (a per-repository setting) is applied. */
export type DiffedChange = Omit<LineageChange, "severity">;

export type LineageDiff = { readonly changes: DiffedChange[]; readonly rowLevel: RowLevelChange[] };

const CLASS_OF: Record<LineageChangeKind, ChangeClass> = {
  table_added: "non-breaking",
  table_removed: "breaking",
  table_renamed: "breaking",
  column_added: "non-breaking",
  column_removed: "breaking",
  column_renamed: "breaking",
  // The shape stays; values may move. Reported with their downstream, never blocking on their own.
  expression_changed: "non-breaking",
  transform_changed: "non-breaking",
  sources_changed: "non-breaking",
  // Column-level lineage lost (or missing) where the SQL changed: a rename or removal cannot be ruled out.
  columns_unknown: "unknown",
};

type Input = {
  readonly base: LineageGraph;
  readonly head: LineageGraph;
  /** File texts, when known: a file whose normalized SQL is unchanged contributes no change at all. */
  readonly baseFiles?: ReadonlyMap<string, string>;
  readonly headFiles?: ReadonlyMap<string, string>;
};

/**
 * Compares the lineage of two commits: tables and columns added, removed or renamed, column
 * expressions, transforms and sources changed, and row-level changes (filters, joins, group keys, or
 * SQL outside column expressions). Formatting- and comment-only edits produce nothing.
 */
export function diffLineage(input: Input): LineageDiff {
  const same = (file: string | undefined) => file !== undefined && sameSql(input, file);
  const produced = (graph: LineageGraph) =>
    new Map(graph.tables.filter((t) => t.file !== undefined && !same(t.file)).map((t) => [t.id, t]));
  const base = produced(input.base);
  const head = produced(input.head);
  const changes: DiffedChange[] = [];
  const rowLevel: RowLevelChange[] = [];
  const removed = [...base.values()].filter((t) => !head.has(t.id) && !isProducedIn(input.head, t.id));
  const added = [...head.values()].filter((t) => !base.has(t.id) && !isProducedIn(input.base, t.id));
  changes.push(...pairTables(removed, added));
  for (const after of head.values()) {
    const before = base.get(after.id);
    if (!before) continue;
    const columnChanges =
      after.confidence === "column" && before.confidence === "column" ? diffColumns(before, after) : [];
    changes.push(...columnChanges);
    const unknown = columnsUnknown(input, before, after);
    if (unknown) changes.push(unknown);
    const row = diffRows(before, after);
    if (row) rowLevel.push(row);
    else if (!unknown && columnChanges.length === 0 && fileChanged(input, before, after))
      rowLevel.push(sqlChanged(before, after));
  }
  return { changes, rowLevel };
}

function sameSql(input: Input, file: string): boolean {
  const before = input.baseFiles?.get(file);
  const after = input.headFiles?.get(file);
  if (before === undefined || after === undefined) return false;
  return before === after || normalizeSql(before) === normalizeSql(after);
}

function isProducedIn(graph: LineageGraph, id: string): boolean {
  return graph.tables.some((t) => t.id === id && t.file !== undefined);
}

function fileChanged(input: Input, before: LineageTable, after: LineageTable): boolean {
  if (before.file !== after.file || before.file === undefined) return before.file !== after.file;
  const a = input.baseFiles?.get(before.file);
  const b = input.headFiles?.get(before.file);
  return a !== undefined && b !== undefined && normalizeSql(a) !== normalizeSql(b);
}

function change(
  kind: LineageChangeKind,
  table: LineageTable,
  fields: { column?: string; line: number; message: string; before?: string; after?: string },
): DiffedChange {
  const id = fields.column === undefined ? table.id : `${table.id}.${fields.column}`;
  return { id, table: table.id, kind, file: table.file ?? table.id, class: CLASS_OF[kind], ...fields };
}

/** A column's meaning without its name: what it reads and how. Passthrough and rename read alike. */
function signature(column: LineageColumn): string {
  const transform = column.transform === "rename" ? "passthrough" : column.transform;
  const sources = column.sources.map((s) => `${s.table}.${s.column}`.toLowerCase()).sort();
  return JSON.stringify([
    transform,
    sources,
    column.expression === undefined ? "" : normalizeSql(column.expression),
  ]);
}

function tableSignature(table: LineageTable): string {
  return JSON.stringify(table.columns.map((c) => [c.name.toLowerCase(), signature(c)]).sort());
}

function pairTables(removed: LineageTable[], added: LineageTable[]): DiffedChange[] {
  const changes: DiffedChange[] = [];
  const unmatched = [...added];
  for (const gone of removed) {
    const sig = tableSignature(gone);
    const matches = gone.columns.length > 0 ? unmatched.filter((t) => tableSignature(t) === sig) : [];
    const twin = matches.length === 1 ? matches[0] : undefined;
    if (twin) {
      unmatched.splice(unmatched.indexOf(twin), 1);
      changes.push({
        ...change("table_renamed", twin, {
          line: twin.line ?? 1,
          message: `${gone.id} was renamed to ${twin.id}; everything that reads ${gone.id} loses its source`,
          before: gone.id,
          after: twin.id,
        }),
        id: gone.id,
        table: gone.id,
      });
      continue;
    }
    changes.push(
      change("table_removed", gone, {
        line: gone.line ?? 1,
        message: `${gone.id} is no longer produced (${gone.file ?? "its file"} was deleted or no longer defines it)`,
      }),
    );
  }
  for (const table of unmatched) {
    changes.push(change("table_added", table, { line: table.line ?? 1, message: `new table ${table.id}` }));
  }
  return changes;
}

function diffColumns(before: LineageTable, after: LineageTable): DiffedChange[] {
  const old = new Map(before.columns.map((c) => [c.name.toLowerCase(), c]));
  const now = new Map(after.columns.map((c) => [c.name.toLowerCase(), c]));
  const removed = [...old.entries()].filter(([name]) => !now.has(name)).map(([, c]) => c);
  const added = [...now.entries()].filter(([name]) => !old.has(name)).map(([, c]) => c);
  const changes: DiffedChange[] = [];
  for (const gone of removed) {
    const sig = signature(gone);
    const twins = added.filter((c) => signature(c) === sig);
    const twin = twins.length === 1 ? twins[0] : undefined;
    if (twin) {
      added.splice(added.indexOf(twin), 1);
      changes.push({
        ...change("column_renamed", after, {
          column: gone.name,
          line: twin.line,
          message: `${after.id}.${gone.name} was renamed to ${twin.name}`,
          before: gone.name,
          after: twin.name,
        }),
      });
    } else {
      changes.push(
        change("column_removed", after, {
          column: gone.name,
          line: after.line ?? 1,
          message: `${after.id}.${gone.name} was removed`,
        }),
      );
    }
  }
  for (const column of added) {
    changes.push(
      change("column_added", after, {
        column: column.name,
        line: column.line,
        message: `new column ${after.id}.${column.name}`,
      }),
    );
  }
  for (const [name, next] of now) {
    const prev = old.get(name);
    const modified = prev ? compareColumn(after, prev, next) : undefined;
    if (modified) changes.push(modified);
  }
  return changes;
}

function describe(column: LineageColumn): string {
  if (column.expression !== undefined) return column.expression;
  return column.sources.map((s) => `${s.table}.${s.column}`).join(", ") || column.transform;
}

function compareColumn(
  table: LineageTable,
  prev: LineageColumn,
  next: LineageColumn,
): DiffedChange | undefined {
  const fields = { column: next.name, line: next.line };
  const where = `${table.id}.${next.name}`;
  const exprBefore = prev.expression === undefined ? "" : normalizeSql(prev.expression);
  const exprAfter = next.expression === undefined ? "" : normalizeSql(next.expression);
  if (exprBefore !== exprAfter && prev.expression !== undefined && next.expression !== undefined) {
    const message = `${where}: expression changed; its values may change`;
    return change("expression_changed", table, {
      ...fields,
      message,
      before: prev.expression,
      after: next.expression,
    });
  }
  if (signature(prev) === signature(next)) return undefined;
  const transformOf = (c: LineageColumn) => (c.transform === "rename" ? "passthrough" : c.transform);
  if (transformOf(prev) !== transformOf(next)) {
    const message = `${where}: transform changed from ${prev.transform} to ${next.transform}`;
    return change("transform_changed", table, {
      ...fields,
      message,
      before: describe(prev),
      after: describe(next),
    });
  }
  const message = `${where}: now reads ${describe(next)} instead of ${describe(prev)}`;
  return change("sources_changed", table, {
    ...fields,
    message,
    before: describe(prev),
    after: describe(next),
  });
}

function rowKeys(table: LineageTable): Set<string> {
  return new Set(table.rowSources.map((r) => `${r.role} ${r.table}.${r.column}`.toLowerCase()));
}

function diffRows(before: LineageTable, after: LineageTable): RowLevelChange | undefined {
  const old = rowKeys(before);
  const now = rowKeys(after);
  const added = [...now].filter((k) => !old.has(k)).sort();
  const removed = [...old].filter((k) => !now.has(k)).sort();
  if (added.length === 0 && removed.length === 0) return undefined;
  const firstNew = after.rowSources.find((r) =>
    added.includes(`${r.role} ${r.table}.${r.column}`.toLowerCase()),
  );
  const parts = [
    ...(added.length ? [`now shaped by ${added.join(", ")}`] : []),
    ...(removed.length ? [`no longer by ${removed.join(", ")}`] : []),
  ];
  return {
    id: `${after.id} (rows)`,
    table: after.id,
    file: after.file ?? after.id,
    line: firstNew?.line ?? after.line ?? 1,
    message: `${after.id}: which rows it holds may change: ${parts.join("; ")}`,
    added,
    removed,
  };
}

/**
 * The head has only table-level lineage for a table whose SQL changed: its columns could have been
 * renamed or removed and nothing here can tell. That is undecided (`unknown`, blocking until a person
 * acknowledges it) rather than a pass; the caller downgrades it when nothing downstream reads the table.
 */
function columnsUnknown(input: Input, before: LineageTable, after: LineageTable): DiffedChange | undefined {
  if (after.confidence !== "table-only") return undefined;
  const lost = before.confidence === "column";
  if (!lost && !fileChanged(input, before, after)) return undefined;
  const file = after.file ?? after.id;
  const reason =
    input.head.diagnostics.find((d) => d.file === file && d.severity === "error") ??
    input.head.diagnostics.find((d) => d.file === file);
  const why = reason ? ` (${file}:${reason.line}: ${reason.message})` : "";
  const message = lost
    ? `${after.id}: column-level lineage was lost at head${why}; renamed or removed columns cannot be detected`
    : `${after.id}: SQL changed but only table-level lineage is available${why}; renamed or removed columns cannot be detected`;
  return change("columns_unknown", after, { line: reason?.line ?? after.line ?? 1, message });
}

function sqlChanged(before: LineageTable, after: LineageTable): RowLevelChange {
  const tableOnly = after.confidence === "table-only" || before.confidence === "table-only";
  const message = tableOnly
    ? `${after.id}: SQL changed; only table-level lineage is available, so every downstream table may be affected`
    : `${after.id}: SQL changed outside its column expressions (filters, join conditions or literals); its rows may change`;
  return {
    id: `${after.id} (rows)`,
    table: after.id,
    file: after.file ?? after.id,
    line: after.line ?? 1,
    message,
    added: [],
    removed: [],
  };
}
