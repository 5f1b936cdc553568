import type { LineageColumn, LineageGraph, LineageTable } from "../lineage/schema.js";
import { findSuspects, type Suspect } from "../triage/find-suspects.js";
import type { Finding } from "../triage/triage-signal.js";

/** The model text and column a cleansing rule edits. */
export type EditTarget = {
  readonly table: LineageTable & { readonly file: string };
  readonly column?: LineageColumn;
  /** Why this place: the suspect it comes from. */
  readonly why: string;
};

const COMPUTES = new Set(["expression", "aggregate", "window"]);

function columnOf(table: LineageTable, name: string | undefined): LineageColumn | undefined {
  if (name === undefined) return undefined;
  return table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

function withFile(table: LineageTable | undefined): (LineageTable & { file: string }) | undefined {
  return table?.file ? { ...table, file: table.file } : undefined;
}

/**
 * Where a cleansing rule goes: the nearest suspect (fewest hops from the finding's column) whose
 * transform computes the column, in a file of the repository; otherwise the model that produces the
 * finding's table itself. `rowsOnly` (deduplication) always picks the finding's own model.
 */
export function chooseTarget(input: {
  finding: Finding;
  graph: LineageGraph;
  rowsOnly?: boolean;
}): EditTarget | undefined {
  const { finding, graph } = input;
  if (!finding.tableId) return undefined;
  const tables = new Map(graph.tables.map((t) => [t.id, t]));
  const own = withFile(tables.get(finding.tableId));
  if (!input.rowsOnly && finding.column) {
    const suspects: readonly Suspect[] =
      finding.suspects.length > 0
        ? finding.suspects
        : findSuspects({ graph, tableId: finding.tableId, column: finding.column });
    const computing = suspects
      .filter((s) => s.file && s.column && COMPUTES.has(s.transform))
      .sort((a, b) => a.depth - b.depth)[0];
    const table = withFile(tables.get(computing?.table ?? ""));
    const column = table && computing ? columnOf(table, computing.column) : undefined;
    if (table && column && computing) {
      const hops =
        computing.depth === 0 ? "the model itself computes it" : `${computing.depth} hop(s) upstream`;
      return {
        table,
        column,
        why: `${table.id}.${column.name} computes the column (${hops}, ${table.file}:${column.line})`,
      };
    }
  }
  if (!own) return undefined;
  const column = columnOf(own, finding.column);
  return {
    table: own,
    column,
    why: `${own.id} produces the table (${own.file}:${column?.line ?? own.line ?? 1})`,
  };
}
