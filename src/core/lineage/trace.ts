import type { LineageColumn, LineageGraph, LineageTable, Transform } from "./schema.js";

/** One step of a column's lineage: the column, and how (and where) its value is made. */
export type TraceHop = {
  readonly table: string;
  readonly column: string;
  readonly transform: Transform;
  readonly file?: string;
  readonly line?: number;
  readonly expression?: string;
};

/** Paths beyond this many are dropped: a wide fan-out is better summarised than listed. */
export const MAX_PATHS = 500;

/** Splits "proj.ds.table.column" into the table id and the column (the last dot separates them). */
export function splitColumnId(id: string): { table: string; column: string } {
  const at = id.lastIndexOf(".");
  return { table: id.slice(0, at).toLowerCase(), column: id.slice(at + 1).toLowerCase() };
}

type Index = {
  tables: Map<string, LineageTable>;
  columns: Map<string, { table: LineageTable; column: LineageColumn }>;
};

function indexGraph(graph: LineageGraph): Index {
  const tables = new Map(graph.tables.map((t) => [t.id, t]));
  const columns = new Map<string, { table: LineageTable; column: LineageColumn }>();
  for (const table of graph.tables)
    for (const column of table.columns) columns.set(`${table.id}.${column.name}`, { table, column });
  return { tables, columns };
}

function hopOf(index: Index, table: string, column: string): TraceHop {
  const found = index.columns.get(`${table}.${column}`);
  if (!found) return { table, column, transform: "unknown" };
  const { table: t, column: c } = found;
  return {
    table,
    column,
    transform: c.transform,
    ...(t.file ? { file: t.file, line: c.line } : {}),
    ...(c.expression !== undefined ? { expression: c.expression } : {}),
  };
}

function walk(start: string, next: (id: string) => string[], hop: (id: string) => TraceHop): TraceHop[][] {
  const paths: TraceHop[][] = [];
  const visit = (id: string, path: TraceHop[], seen: Set<string>) => {
    if (paths.length >= MAX_PATHS) return;
    const here = [...path, hop(id)];
    const following = next(id).filter((n) => !seen.has(n));
    if (following.length === 0) {
      paths.push(here);
      return;
    }
    for (const n of following) visit(n, here, new Set([...seen, n]));
  };
  visit(start, [], new Set([start]));
  return paths;
}

/**
 * Every path from a column back to the columns it is made from, each ending at a source column.
 * A hop carries the file and line that define that column.
 *
 * @example traceUpstream(graph, "fct_orders.amount") // [[fct_orders.amount, stg_payments.amount, raw.payments.amount]]
 */
export function traceUpstream(graph: LineageGraph, columnId: string): TraceHop[][] {
  const index = indexGraph(graph);
  const { table, column } = splitColumnId(columnId);
  const next = (id: string) =>
    (index.columns.get(id)?.column.sources ?? []).map((s) => `${s.table}.${s.column}`);
  return walk(`${table}.${column}`, next, (id) =>
    hopOf(index, splitColumnId(id).table, splitColumnId(id).column),
  );
}

/** Every path from a column to the columns computed from it, ending at columns nothing reads. */
export function traceDownstream(graph: LineageGraph, columnId: string): TraceHop[][] {
  const index = indexGraph(graph);
  const consumers = new Map<string, string[]>();
  for (const table of graph.tables) {
    for (const column of table.columns) {
      for (const s of column.sources) {
        const key = `${s.table}.${s.column}`;
        consumers.set(key, [...(consumers.get(key) ?? []), `${table.id}.${column.name}`]);
      }
    }
  }
  const { table, column } = splitColumnId(columnId);
  return walk(
    `${table}.${column}`,
    (id) => consumers.get(id) ?? [],
    (id) => hopOf(index, splitColumnId(id).table, splitColumnId(id).column),
  );
}

/** Tables that read `tableId`, directly or through other tables, nearest first. */
export function downstreamTables(graph: LineageGraph, tableId: string): string[] {
  const readers = new Map<string, string[]>();
  for (const table of graph.tables)
    for (const up of table.upstream) readers.set(up, [...(readers.get(up) ?? []), table.id]);
  const found: string[] = [];
  const seen = new Set([tableId.toLowerCase()]);
  for (let queue = [tableId.toLowerCase()]; queue.length > 0; ) {
    const next: string[] = [];
    for (const id of queue) {
      for (const reader of readers.get(id) ?? []) {
        if (seen.has(reader)) continue;
        seen.add(reader);
        found.push(reader);
        next.push(reader);
      }
    }
    queue = next;
  }
  return found;
}
