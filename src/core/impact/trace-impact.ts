import type { LineageGraph, LineageTable } from "../lineage/schema.js";
import type { Hop } from "./impact-report.js";

type ColumnEdge = { readonly table: LineageTable; readonly column: string; readonly line: number };
type RowEdge = { readonly table: LineageTable; readonly line: number };

/**
 * Reverse edges of a lineage graph: who reads a column (as a value or to shape rows), who reads a table.
 * Only the table-level edges are built up front; a table's column and row readers are gathered the
 * first time a trace reaches it, from the tables that read it, so a trace costs what it reaches.
 */
export type LineageIndex = {
  readonly tables: ReadonlyMap<string, LineageTable>;
  /** Readers of `table.column` (column lower-cased) as a value. */
  columnReaders(table: string, column: string): readonly ColumnEdge[];
  /** Readers of `table.column` (column lower-cased) to filter, join or group rows. */
  rowReaders(table: string, column: string): readonly RowEdge[];
  /** Tables listing `table` among their upstream, once each. */
  tableReaders(table: string): readonly LineageTable[];
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

type ColumnIndex = { columns: Map<string, ColumnEdge[]>; rows: Map<string, RowEdge[]> };

/** Whether a table's column or row sources name a table missing from its upstream list (normally not). */
function readsUnlisted(table: LineageTable): boolean {
  const { upstream } = table;
  for (const column of table.columns) {
    for (const source of column.sources) if (!upstream.includes(source.table)) return true;
  }
  for (const row of table.rowSources) if (!upstream.includes(row.table)) return true;
  return false;
}

/**
 * Readers by table id: `listed` from upstream lists (table-level edges); `any` also has the tables
 * whose column or row sources name a table missing from their upstream list.
 */
function readersByTable(graph: LineageGraph): {
  listed: Map<string, LineageTable[]>;
  any: Map<string, LineageTable[]>;
} {
  const listed = new Map<string, LineageTable[]>();
  let unlisted = false;
  for (const table of graph.tables) {
    const { upstream } = table;
    for (let i = 0; i < upstream.length; i++) {
      const up = upstream[i] as string;
      if (upstream.indexOf(up) === i) push(listed, up, table);
    }
    if (!unlisted && readsUnlisted(table)) unlisted = true;
  }
  if (!unlisted) return { listed, any: listed };
  // Rare: rebuilt with every table named anywhere, in graph order as a full index would list them.
  const any = new Map<string, LineageTable[]>();
  for (const table of graph.tables) {
    const named = new Set(table.upstream);
    for (const column of table.columns) for (const source of column.sources) named.add(source.table);
    for (const row of table.rowSources) named.add(row.table);
    for (const id of named) push(any, id, table);
  }
  return { listed, any };
}

/** The column and row readers of one table, from the tables that name it. */
function columnIndexOf(id: string, readers: readonly LineageTable[]): ColumnIndex {
  const columns = new Map<string, ColumnEdge[]>();
  const rows = new Map<string, RowEdge[]>();
  for (const table of readers) {
    for (const column of table.columns) {
      for (const source of column.sources) {
        if (source.table !== id) continue;
        push(columns, source.column.toLowerCase(), { table, column: column.name, line: column.line });
      }
    }
    for (const row of table.rowSources) {
      if (row.table === id) push(rows, row.column.toLowerCase(), { table, line: row.line });
    }
  }
  return { columns, rows };
}

/** Indexes a graph's table-level edges once; column-level edges are gathered per table on demand. */
export function indexLineage(graph: LineageGraph): LineageIndex {
  const tables = new Map<string, LineageTable>();
  for (const table of graph.tables) tables.set(table.id, table);
  let byTable: ReturnType<typeof readersByTable> | undefined;
  const readers = () => {
    byTable ??= readersByTable(graph);
    return byTable;
  };
  const perTable = new Map<string, ColumnIndex>();
  const columnIndex = (id: string): ColumnIndex => {
    let found = perTable.get(id);
    if (!found) {
      found = columnIndexOf(id, readers().any.get(id) ?? []);
      perTable.set(id, found);
    }
    return found;
  };
  return {
    tables,
    columnReaders: (table, column) => columnIndex(table).columns.get(column.toLowerCase()) ?? [],
    rowReaders: (table, column) => columnIndex(table).rows.get(column.toLowerCase()) ?? [],
    tableReaders: (table) => readers().listed.get(table) ?? [],
  };
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
    for (const edge of index.columnReaders(node.table, node.column)) {
      next.push({
        table: edge.table.id,
        column: edge.column,
        via: "column",
        path: extend(edge.table, edge.column, edge.line),
      });
    }
    for (const edge of index.rowReaders(node.table, node.column)) {
      next.push({ table: edge.table.id, via: "row", path: extend(edge.table, undefined, edge.line) });
    }
  }
  for (const table of index.tableReaders(node.table)) {
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
