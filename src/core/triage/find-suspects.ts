import { z } from "zod";
import { type LineageGraph, type LineageTable, RowSourceSchema, TransformSchema } from "../lineage/schema.js";
import { traceUpstream } from "../lineage/trace.js";

export const SuspectSchema = z.strictObject({
  table: z.string(),
  column: z.string().optional().describe("Absent for a table-level suspect (a row count has no column)."),
  file: z.string().optional().describe("Absent for sources: the data arrived that way."),
  line: z.number().int().min(1).optional(),
  transform: z.union([TransformSchema, z.literal("table")]),
  expression: z.string().optional(),
  /** Hops from the finding's column: 0 is the model that produces it. */
  depth: z.number().int().min(0),
  rowRules: z.array(RowSourceSchema).describe("Filters, joins and group keys of the suspect's table."),
  recentlyChanged: z.boolean(),
});
export type Suspect = z.infer<typeof SuspectSchema>;

const MAX_SUSPECTS = 25;

function rank(a: Suspect, b: Suspect): number {
  return (
    Number(b.recentlyChanged) - Number(a.recentlyChanged) ||
    a.depth - b.depth ||
    Number(a.transform === "passthrough") - Number(b.transform === "passthrough") ||
    Number(a.file === undefined) - Number(b.file === undefined) ||
    `${a.table}.${a.column ?? ""}`.localeCompare(`${b.table}.${b.column ?? ""}`)
  );
}

function columnSuspects(
  graph: LineageGraph,
  tables: Map<string, LineageTable>,
  tableId: string,
  column: string,
  changed: ReadonlySet<string>,
): Suspect[] {
  const best = new Map<string, Suspect>();
  for (const path of traceUpstream(graph, `${tableId}.${column}`)) {
    path.forEach((hop, depth) => {
      const key = `${hop.table}.${hop.column}`;
      const known = best.get(key);
      if (known && known.depth <= depth) return;
      const table = tables.get(hop.table);
      best.set(key, {
        table: hop.table,
        column: hop.column,
        file: hop.file ?? table?.file,
        line: hop.line,
        transform: hop.transform,
        expression: hop.expression,
        depth,
        rowRules: table?.rowSources ?? [],
        recentlyChanged: Boolean(table?.file && changed.has(table.file)),
      });
    });
  }
  return [...best.values()];
}

function tableSuspects(
  tables: Map<string, LineageTable>,
  tableId: string,
  changed: ReadonlySet<string>,
): Suspect[] {
  const found: Suspect[] = [];
  const seen = new Set([tableId]);
  for (let queue = [tableId], depth = 0; queue.length > 0; depth++) {
    const next: string[] = [];
    for (const id of queue) {
      const table = tables.get(id);
      found.push({
        table: id,
        file: table?.file,
        line: table?.line,
        transform: "table",
        depth,
        rowRules: table?.rowSources ?? [],
        recentlyChanged: Boolean(table?.file && changed.has(table.file)),
      });
      for (const up of table?.upstream ?? []) if (!seen.has(up) && seen.add(up)) next.push(up);
    }
    queue = next;
  }
  return found;
}

/**
 * Upstream places that can explain a finding on `tableId.column`: every column it is made from, with
 * the file, line, transform and expression that make it and the row rules (filters, joins) of that
 * table. Without a column (a row count, a freshness breach) the upstream tables are the suspects.
 * Ranked: recently changed files first, then closest, then computed before passthrough.
 */
export function findSuspects(input: {
  graph: LineageGraph;
  tableId: string;
  column?: string;
  recentlyChanged?: ReadonlySet<string>;
}): Suspect[] {
  const tables = new Map(input.graph.tables.map((t) => [t.id, t]));
  const changed = input.recentlyChanged ?? new Set<string>();
  const tableId = input.tableId.toLowerCase();
  const table = tables.get(tableId);
  const hasColumn =
    input.column !== undefined &&
    table?.columns.some((c) => c.name.toLowerCase() === input.column?.toLowerCase());
  const suspects =
    hasColumn && input.column
      ? columnSuspects(input.graph, tables, tableId, input.column.toLowerCase(), changed)
      : tableSuspects(tables, tableId, changed);
  return suspects.sort(rank).slice(0, MAX_SUSPECTS);
}
