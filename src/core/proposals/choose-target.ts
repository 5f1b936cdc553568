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

/** A table Backflow can edit: one a SQL file of the repository produces (not a declared source). */
function withFile(table: LineageTable | undefined): (LineageTable & { file: string }) | undefined {
  if (!table?.file || table.kind === "source" || !/\.sql$/i.test(table.file)) return undefined;
  return { ...table, file: table.file };
}

/**
 * Where a cleansing rule can go, best first: the suspects (fewest hops from the finding's column)
 * whose transform computes the column, in a SQL file of the repository, then the model that produces
 * the finding's table itself. `rowsOnly` (deduplication) gives only the finding's own model.
 */
export function chooseTargets(input: {
  finding: Finding;
  graph: LineageGraph;
  rowsOnly?: boolean;
}): EditTarget[] {
  const { finding, graph } = input;
  if (!finding.tableId) return [];
  const tables = new Map(graph.tables.map((t) => [t.id, t]));
  const targets: EditTarget[] = [];
  if (!input.rowsOnly && finding.column) {
    const suspects: readonly Suspect[] =
      finding.suspects.length > 0
        ? finding.suspects
        : findSuspects({ graph, tableId: finding.tableId, column: finding.column });
    const computing = suspects
      .filter((s) => s.file && s.column && COMPUTES.has(s.transform))
      .sort((a, b) => a.depth - b.depth);
    for (const suspect of computing) {
      const table = withFile(tables.get(suspect.table));
      const column = table ? columnOf(table, suspect.column) : undefined;
      if (!table || !column || targets.some((t) => t.table.id === table.id)) continue;
      const hops = suspect.depth === 0 ? "the model itself computes it" : `${suspect.depth} hop(s) upstream`;
      targets.push({
        table,
        column,
        why: `${table.id}.${column.name} computes the column (${hops}, line ${column.line})`,
      });
    }
  }
  const own = withFile(tables.get(finding.tableId));
  if (own && !targets.some((t) => t.table.id === own.id)) {
    const column = columnOf(own, finding.column);
    targets.push({
      table: own,
      column,
      why: `${own.id} produces the table (line ${column?.line ?? own.line ?? 1})`,
    });
  }
  return targets;
}
