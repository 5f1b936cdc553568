import type { LineageGraph } from "./schema.js";
import { splitColumnId } from "./trace.js";

export type MermaidOptions = {
  /** Table ids or table.column ids to centre the picture on. */
  readonly focus: readonly string[];
  /** Table ids or table.column ids drawn in the highlight style (e.g. changed columns). */
  readonly highlight?: readonly string[];
  /** Most tables to draw (default 40); the rest are counted in a note node. */
  readonly maxNodes?: number;
};

/** Escapes text for a quoted Mermaid label: no quotes, angle brackets, backticks or markdown links. */
export function escapeMermaidLabel(text: string): string {
  return text
    .replace(/&/g, "#amp;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/[`[\]{}|]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function tableOfId(graph: LineageGraph, id: string): string | undefined {
  const lower = id.toLowerCase();
  if (graph.tables.some((t) => t.id === lower)) return lower;
  const { table } = splitColumnId(lower);
  return graph.tables.some((t) => t.id === table) ? table : undefined;
}

/** Tables within reach of the focus (upstream and downstream), nearest first, up to `max`. */
function neighbourhood(graph: LineageGraph, start: readonly string[]): string[] {
  const up = new Map(graph.tables.map((t) => [t.id, t.upstream]));
  const down = new Map<string, string[]>();
  for (const t of graph.tables) for (const u of t.upstream) down.set(u, [...(down.get(u) ?? []), t.id]);
  const order = [...new Set(start)];
  const seen = new Set(order);
  for (let i = 0; i < order.length; i += 1) {
    const id = order[i] as string;
    for (const n of [...(up.get(id) ?? []), ...(down.get(id) ?? [])]) {
      if (!seen.has(n)) {
        seen.add(n);
        order.push(n);
      }
    }
  }
  return order;
}

/**
 * A Mermaid `flowchart LR` of the tables around the focus, upstream on the left. Focused columns are
 * listed in their table's label; tables beyond `maxNodes` are left out and counted in a note.
 */
export function renderMermaid(graph: LineageGraph, options: MermaidOptions): string {
  const max = Math.max(1, options.maxNodes ?? 40);
  const focusTables = options.focus
    .map((f) => tableOfId(graph, f))
    .filter((t): t is string => t !== undefined);
  const all = neighbourhood(graph, focusTables);
  const shown = all.slice(0, max);
  const ids = new Map(shown.map((t, i) => [t, `n${i}`]));
  const columnsOf = (table: string, list: readonly string[]) =>
    list
      .filter((f) => f.toLowerCase() !== table && splitColumnId(f.toLowerCase()).table === table)
      .map((f) => splitColumnId(f).column);
  const lines = ["flowchart LR"];
  for (const table of shown) {
    const cols = [
      ...new Set([...columnsOf(table, options.focus), ...columnsOf(table, options.highlight ?? [])]),
    ];
    const label = [table, ...cols].map(escapeMermaidLabel).join("<br/>");
    lines.push(`  ${ids.get(table)}["${label}"]`);
  }
  for (const t of graph.tables) {
    for (const u of t.upstream)
      if (ids.has(u) && ids.has(t.id)) lines.push(`  ${ids.get(u)} --> ${ids.get(t.id)}`);
  }
  const highlighted = (options.highlight ?? [])
    .map((h) => tableOfId(graph, h))
    .filter((t) => t !== undefined && ids.has(t));
  if (highlighted.length > 0) {
    lines.push("  classDef highlight fill:#ffe0e0,stroke:#c62828,stroke-width:2px");
    lines.push(`  class ${[...new Set(highlighted)].map((t) => ids.get(t as string)).join(",")} highlight`);
  }
  if (all.length > shown.length) lines.push(`  more["${all.length - shown.length} more tables not shown"]`);
  return lines.join("\n");
}
