import { renderMermaid } from "../lineage/render-mermaid.js";
import type { LineageGraph, LineageTable } from "../lineage/schema.js";
import { downstreamTables, type TraceHop, traceDownstream, traceUpstream } from "../lineage/trace.js";
import { codeSpan } from "../render/escape-markdown.js";
import { capList } from "../render/fit-to-limit.js";
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
  const more = paths.length > MAX_PATHS_SHOWN ? `\n\n…and ${paths.length - MAX_PATHS_SHOWN} more paths.` : "";
  return `**${title}**\n\n${renderTable(["path"], rows, "_none_")}${more}`;
}

/**
 * The reply to `/backflow lineage`: for a column, its upstream and/or downstream paths with the file
 * and line of each hop; for a table, the tables it reads and that read it; with a Mermaid picture.
 * Undefined-table errors suggest the closest table.
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
    const near = suggestWord(
      args.target.toLowerCase(),
      graph.tables.map((t) => t.id),
    );
    return {
      ok: false,
      markdown: `${codeSpan(args.target)} is not a table in the default branch's lineage${near ? ` — did you mean ${codeSpan(near)}?` : "."}`,
    };
  }
  const up = args.direction !== "down";
  const down = args.direction !== "up";
  const sections: string[] = [];
  let focus = table.id;
  if (owner) {
    const column = args.target.slice(at + 1).toLowerCase();
    if (!table.columns.some((c) => c.name.toLowerCase() === column) && table.confidence === "column") {
      const near = suggestWord(
        column,
        table.columns.map((c) => c.name),
      );
      return {
        ok: false,
        markdown: `${codeSpan(table.id)} has no column ${codeSpan(column)}${near ? ` — did you mean ${codeSpan(near)}?` : "."}`,
      };
    }
    focus = `${table.id}.${column}`;
    if (up) sections.push(pathsTable("Upstream (where the value comes from)", traceUpstream(graph, focus)));
    if (down)
      sections.push(pathsTable("Downstream (what is computed from it)", traceDownstream(graph, focus)));
  } else {
    const list = (ids: readonly string[]) =>
      ids.length === 0 ? "_none_" : capList(ids, 40, (id) => `- ${codeSpan(id)}`).join("\n");
    if (up) sections.push(`**Upstream tables**\n\n${list(upstreamTables(graph, table.id))}`);
    if (down) sections.push(`**Downstream tables**\n\n${list(downstreamTables(graph, table.id))}`);
  }
  const where = table.file ? ` (${codeSpan(`${table.file}:${table.line ?? 1}`)})` : "";
  const mermaid = renderMermaid(graph, { focus: [focus], maxNodes: 25 });
  return {
    ok: true,
    markdown: [
      `Lineage of ${codeSpan(focus)}${where} on the default branch:`,
      ...sections,
      `\`\`\`mermaid\n${mermaid}\n\`\`\``,
    ].join("\n\n"),
  };
}
