import { stripControl } from "../render/escape-markdown.js";
import type { LineageGraph } from "./schema.js";
import { splitColumnId } from "./trace.js";

export type MermaidOptions = {
  /** Table ids or table.column ids to centre the picture on. */
  readonly focus: readonly string[];
  /** Table ids or table.column ids drawn as changed (red): what a pull request or commit changed. */
  readonly changed?: readonly string[];
  /** Former name of `changed`. */
  readonly highlight?: readonly string[];
  /** Table ids or table.column ids drawn as affected (amber): what a change or drift reaches. */
  readonly affected?: readonly string[];
  /** The table.column a reader asked about (blue, thick border). */
  readonly selected?: readonly string[];
  /** Most tables to draw (default 40); the rest are counted in a note node. */
  readonly maxNodes?: number;
};

/** The styles every picture uses; GitHub's own palette, readable in light and dark themes. */
const STYLES = {
  changed: "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#1f2328",
  affected: "fill:#fff8c5,stroke:#bf8700,stroke-width:2px,color:#1f2328",
  selected: "fill:#ddf4ff,stroke:#0969da,stroke-width:3px,color:#1f2328",
  context: "fill:#f6f8fa,stroke:#8c959f,stroke-width:1px,color:#1f2328",
} as const;
export type MermaidStyle = keyof typeof STYLES;

const LEGEND: Readonly<Record<MermaidStyle, string>> = {
  selected: "🟦 blue: the column asked about",
  changed: "🟥 red: changed",
  affected: "🟨 amber: affected",
  context: "⬜ grey: context (on the path, not changed)",
};

/** The legend line under a picture, naming only the styles it uses. */
export function mermaidLegend(used: readonly MermaidStyle[]): string {
  const order: MermaidStyle[] = ["selected", "changed", "affected", "context"];
  return `_Legend: ${order
    .filter((s) => used.includes(s))
    .map((s) => LEGEND[s])
    .join(" · ")}._`;
}

/** The styles a rendered picture uses, read from its `class` lines. */
export function stylesIn(mermaid: string): MermaidStyle[] {
  return [...mermaid.matchAll(/^ {2}class \S+ (\w+)$/gm)].map((m) => m[1] as MermaidStyle);
}

/** Escapes text for a quoted Mermaid label: no quotes, angle brackets, backticks, entities or controls. */
export function escapeMermaidLabel(text: string): string {
  return (
    stripControl(text)
      .replace(/#/g, "#35;")
      .replace(/&/g, "#amp;")
      .replace(/"/g, "#quot;")
      .replace(/</g, "#lt;")
      .replace(/>/g, "#gt;")
      .replace(/[`[\]{}|]/g, " ")
      .replace(/\s+/g, " ")
      .trim() || "(blank)"
  );
}

function tableOfId(graph: LineageGraph, id: string): string | undefined {
  const lower = id.toLowerCase();
  if (graph.tables.some((t) => t.id === lower)) return lower;
  const { table } = splitColumnId(lower);
  return graph.tables.some((t) => t.id === table) ? table : undefined;
}

/** Tables within reach of the focus (upstream and downstream), nearest first. */
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

/** Mermaid refuses a flowchart with more than 500 edges (its `maxEdges`); the rest are counted. */
const MAX_EDGES = 400;

/** Most column names listed in one node; the rest are counted. */
const MAX_COLUMNS_PER_NODE = 6;

/**
 * A Mermaid `flowchart LR` of the tables around the focus, upstream on the left. Focused and styled
 * columns are listed in their table's label; every table is styled changed, affected, selected or
 * context (see `mermaidLegend`); tables beyond `maxNodes` are left out and counted in a note.
 */
export function renderMermaid(graph: LineageGraph, options: MermaidOptions): string {
  const max = Math.max(1, options.maxNodes ?? 40);
  const changedIds = [...(options.changed ?? []), ...(options.highlight ?? [])];
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
      ...new Set(
        [options.focus, options.selected ?? [], changedIds].flatMap((list) => columnsOf(table, list)),
      ),
    ];
    const listed = cols.slice(0, MAX_COLUMNS_PER_NODE);
    if (cols.length > listed.length) listed.push(`…and ${cols.length - listed.length} more`);
    const label = [table, ...listed].map(escapeMermaidLabel).join("<br/>");
    lines.push(`  ${ids.get(table)}["${label}"]`);
  }
  let hidden = 0;
  for (const t of graph.tables) {
    for (const u of t.upstream) {
      if (!ids.has(u) || !ids.has(t.id)) continue;
      if (lines.length - shown.length > MAX_EDGES) hidden += 1;
      else lines.push(`  ${ids.get(u)} --> ${ids.get(t.id)}`);
    }
  }
  const styleOf = new Map<string, MermaidStyle>();
  const mark = (list: readonly string[] | undefined, style: MermaidStyle) => {
    for (const id of list ?? []) {
      const table = tableOfId(graph, id);
      if (table !== undefined && ids.has(table) && !styleOf.has(table)) styleOf.set(table, style);
    }
  };
  mark(options.selected, "selected");
  mark(changedIds, "changed");
  mark(options.affected, "affected");
  for (const table of shown) if (!styleOf.has(table)) styleOf.set(table, "context");
  for (const style of ["selected", "changed", "affected", "context"] as const) {
    const members = shown.filter((t) => styleOf.get(t) === style).map((t) => ids.get(t));
    if (members.length === 0) continue;
    lines.push(`  classDef ${style} ${STYLES[style]}`);
    lines.push(`  class ${members.join(",")} ${style}`);
  }
  const notes = [
    all.length > shown.length ? `${all.length - shown.length} more tables not shown` : "",
    hidden > 0 ? `${hidden} more edges not drawn` : "",
  ].filter(Boolean);
  if (notes.length > 0) lines.push(`  more["${notes.join("; ")}"]`);
  return lines.join("\n");
}
