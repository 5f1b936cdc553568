import type { LineageGraph, LineageTable } from "../lineage/schema.js";
import type { Hop } from "./impact-report.js";

type ColumnEdge = { readonly table: LineageTable; readonly column: string; readonly line: number };
type RowEdge = { readonly table: LineageTable; readonly line: number };

/** Reverse edges of a lineage graph: who reads a column (as a value or to shape rows), who reads a table. */
export type LineageIndex = {
  readonly tables: ReadonlyMap<string, LineageTable>;
  readonly columnReaders: ReadonlyMap<string, readonly ColumnEdge[]>;
  readonly rowReaders: ReadonlyMap<string, readonly RowEdge[]>;
  readonly tableReaders: ReadonlyMap<string, readonly LineageTable[]>;
};

export type Reached = {
  readonly table: string;
  readonly column?: string;
  readonly file?: string;
  readonly via: "column" | "row" | "table";
  readonly path: Hop[];
};

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const key = (table: string, column?: string) =>
  column === undefined ? table : `${table}.${column.toLowerCase()}`;

/** Builds the reverse index once per graph; every trace then costs only what it reaches. */
export function indexLineage(graph: LineageGraph): LineageIndex {
  const tables = new Map(graph.tables.map((t) => [t.id, t]));
  const columnReaders = new Map<string, ColumnEdge[]>();
  const rowReaders = new Map<string, RowEdge[]>();
  const tableReaders = new Map<string, LineageTable[]>();
  for (const table of graph.tables) {
    for (const column of table.columns) {
      for (const source of column.sources) {
        push(columnReaders, key(source.table, source.column), {
          table,
          column: column.name,
          line: column.line,
        });
      }
    }
    for (const row of table.rowSources)
      push(rowReaders, key(row.table, row.column), { table, line: row.line });
    for (const up of new Set(table.upstream)) push(tableReaders, up, table);
  }
  return { tables, columnReaders, rowReaders, tableReaders };
}

type Node = { table: string; column?: string; via: Reached["via"]; path: Hop[] };

/**
 * Everything downstream of a column (or, without `column`, of a whole table), breadth first so each
 * result carries a shortest path. Column readers stay column-level; a column used as a filter, join or
 * group key, and tables with only table-level lineage, make the whole reading table (and its
 * downstream) affected at table level.
 */
export function traceImpact(index: LineageIndex, start: { table: string; column?: string }): Reached[] {
  const origin = index.tables.get(start.table);
  const first: Node = {
    table: start.table,
    ...(start.column === undefined ? {} : { column: start.column }),
    via: start.column === undefined ? "table" : "column",
    path: [hop(start.table, start.column, origin?.file, lineOf(origin, start.column))],
  };
  const seen = new Set([key(first.table, first.column)]);
  const queue: Node[] = [first];
  const reached: Reached[] = [];
  const visit = (node: Node) => {
    const k = key(node.table, node.column);
    if (seen.has(k)) return;
    seen.add(k);
    queue.push(node);
    const file = index.tables.get(node.table)?.file;
    reached.push({ ...node, ...(file === undefined ? {} : { file }) });
  };
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as Node;
    for (const next of readersOf(index, node)) visit(next);
  }
  return reached;
}

function readersOf(index: LineageIndex, node: Node): Node[] {
  const next: Node[] = [];
  const extend = (table: LineageTable, column: string | undefined, line: number | undefined) => [
    ...node.path,
    hop(table.id, column, table.file, line),
  ];
  if (node.column !== undefined) {
    const k = key(node.table, node.column);
    for (const edge of index.columnReaders.get(k) ?? []) {
      next.push({
        table: edge.table.id,
        column: edge.column,
        via: "column",
        path: extend(edge.table, edge.column, edge.line),
      });
    }
    for (const edge of index.rowReaders.get(k) ?? []) {
      next.push({ table: edge.table.id, via: "row", path: extend(edge.table, undefined, edge.line) });
    }
  }
  for (const table of index.tableReaders.get(node.table) ?? []) {
    // Column-level readers were followed above; table-level lineage is all a table-only reader has.
    if (node.column === undefined || table.confidence === "table-only") {
      next.push({ table: table.id, via: "table", path: extend(table, undefined, table.line) });
    }
  }
  return next;
}

function lineOf(table: LineageTable | undefined, column: string | undefined): number | undefined {
  if (!table) return undefined;
  const found =
    column === undefined
      ? undefined
      : table.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
  return found?.line ?? table.line;
}

function hop(
  table: string,
  column: string | undefined,
  file: string | undefined,
  line: number | undefined,
): Hop {
  return {
    table,
    ...(column === undefined ? {} : { column }),
    ...(file === undefined ? {} : { file }),
    ...(line === undefined ? {} : { line }),
  };
}
