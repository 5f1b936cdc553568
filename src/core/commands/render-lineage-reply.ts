import { mermaidLegend, renderMermaid, stylesIn } from "../lineage/render-mermaid.js";
import type { LineageGraph, LineageTable } from "../lineage/schema.js";
import { downstreamTables, type TraceHop, traceDownstream, traceUpstream } from "../lineage/trace.js";
import { codeBlock, codeSpan } from "../render/escape-markdown.js";
import { andMore, capList } from "../render/fit-to-limit.js";
import { renderTable } from "../render/markdown-table.js";
import type { CommandOf } from "./command-schema.js";
import { suggestWord } from "./suggest-word.js";

const MAX_PATHS_SHOWN = 20;

function findTable(graph: LineageGraph, name: string): LineageTable | undefined {
  const lower = name.toLowerCase();
  return graph.tables.find((t) => t.id === lower) ?? graph.tables.find((t) => t.id.endsWith(`.${lower}`));
}

function upstreamTables(graph: LineageGraph, id: string): string[] {
  const byId = new Map(graph.tables.map((t) => [t.id, t]));
  const found: string[] = [];
  for (let queue = [id]; queue.length > 0; ) {
    const next = queue
      .flatMap((t) => byId.get(t)?.upstream ?? [])
      .filter((u) => u !== id && !found.includes(u));
    found.push(...new Set(next));
    queue = [...new Set(next)];
  }
  return found;
}

const hopCell = (h: TraceHop) => ({
  md: `${codeSpan(`${h.table}.${h.column}`)}${h.file ? ` ${h.transform} at ${codeSpan(`${h.file}:${h.line ?? 1}`)}` : ""}`,
});

function pathsTable(title: string, paths: readonly TraceHop[][]): string {
  const rows = paths.slice(0, MAX_PATHS_SHOWN).map((p) => [{ md: p.map((h) => hopCell(h).md).join(" → ") }]);
  const more = paths.length > MAX_PATHS_SHOWN ? `\n\n${andMore(paths.length - MAX_PATHS_SHOWN, "path")}` : "";
  return `**${title}**\n\n${renderTable(["path"], rows, "_none_")}${more}`;
}

/** The graph cut down to `tables`, keeping only edges between them. */
function subgraphOf(graph: LineageGraph, tables: ReadonlySet<string>): LineageGraph {
  return {
    ...graph,
    tables: graph.tables
      .filter((t) => tables.has(t.id))
      .map((t) => ({ ...t, upstream: t.upstream.filter((u) => tables.has(u)) })),
  };
}

function picture(
  graph: LineageGraph,
  focus: string,
  tables: ReadonlySet<string>,
  columns: readonly string[],
): string {
  const chart = renderMermaid(subgraphOf(graph, tables), {
    focus: [focus, ...columns],
    selected: [focus],
    maxNodes: 25,
  });
  return `${codeBlock(chart, "mermaid")}\n\n${mermaidLegend(stylesIn(chart))}`;
}

/** "did you mean": the closest `table.column` for a dotted target, else the closest table. */
function nearestName(graph: LineageGraph, target: string): string | undefined {
  const lower = target.toLowerCase();
  if (lower.includes(".")) {
    const columns = graph.tables.flatMap((t) => t.columns.map((c) => `${t.id}.${c.name.toLowerCase()}`));
    const near = suggestWord(lower, columns);
    if (near) return near;
  }
  return suggestWord(
    lower,
    graph.tables.map((t) => t.id),
  );
}

/**
 * The reply to `/backflow lineage`: for a column, its upstream and/or downstream paths with the file
 * and line of each hop, citing the column's own line, and a picture of only the tables on those paths
 * with the column highlighted; for a table, the tables it reads and that read it.
 * Unknown names get a "did you mean" with the full `table.column`.
 */
export function renderLineageReply(
  graph: LineageGraph,
  args: CommandOf<"lineage">["args"],
): { ok: boolean; markdown: string } {
  const whole = findTable(graph, args.target);
  const at = args.target.lastIndexOf(".");
  const owner = whole ? undefined : at > 0 ? findTable(graph, args.target.slice(0, at)) : undefined;
  const table = whole ?? owner;
  if (!table) {
    const near = nearestName(graph, args.target);
    return {
      ok: false,
      markdown: `${codeSpan(args.target)} is not a table or column in the default branch's lineage${near ? ` — did you mean ${codeSpan(near)}?` : "."}`,
    };
  }
  const up = args.direction !== "down";
  const down = args.direction !== "up";
  const sections: string[] = [];
  if (owner) {
    const column = args.target.slice(at + 1).toLowerCase();
    const found = table.columns.find((c) => c.name.toLowerCase() === column);
    if (!found && table.confidence === "column") {
      const near = suggestWord(
        column,
        table.columns.map((c) => c.name),
      );
      return {
        ok: false,
        markdown: `${codeSpan(table.id)} has no column ${codeSpan(column)}${near ? ` — did you mean ${codeSpan(`${table.id}.${near.toLowerCase()}`)}?` : "."}`,
      };
    }
    const focus = `${table.id}.${column}`;
    const paths = [
      ...(up ? traceUpstream(graph, focus) : []),
      ...(down ? traceDownstream(graph, focus) : []),
    ];
    if (up) sections.push(pathsTable("Upstream (where the value comes from)", traceUpstream(graph, focus)));
    if (down)
      sections.push(pathsTable("Downstream (what is computed from it)", traceDownstream(graph, focus)));
    const hops = paths.flat();
    const tables = new Set([table.id, ...hops.map((h) => h.table)]);
    const line = found?.line ?? table.line ?? 1;
    const where = table.file ? ` (${codeSpan(`${table.file}:${line}`)})` : "";
    return {
      ok: true,
      markdown: [
        `Lineage of ${codeSpan(focus)}${where} on the default branch:`,
        ...sections,
        picture(
          graph,
          focus,
          tables,
          hops.map((h) => `${h.table}.${h.column}`),
        ),
      ].join("\n\n"),
    };
  }
  const list = (ids: readonly string[]) =>
    ids.length === 0 ? "_none_" : capList(ids, 40, (id) => `- ${codeSpan(id)}`, "table").join("\n");
  const upstream = up ? upstreamTables(graph, table.id) : [];
  const downstream = down ? downstreamTables(graph, table.id) : [];
  if (up) sections.push(`**Upstream tables**\n\n${list(upstream)}`);
  if (down) sections.push(`**Downstream tables**\n\n${list(downstream)}`);
  const where = table.file ? ` (${codeSpan(`${table.file}:${table.line ?? 1}`)})` : "";
  return {
    ok: true,
    markdown: [
      `Lineage of ${codeSpan(table.id)}${where} on the default branch:`,
      ...sections,
      picture(graph, table.id, new Set([table.id, ...upstream, ...downstream]), []),
    ].join("\n\n"),
  };
}
