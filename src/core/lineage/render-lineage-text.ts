import { stripControl } from "../render/escape-markdown.js";
import type { LineageGraph, LineageTable } from "./schema.js";

function tableText(t: LineageTable): string {
  const where = t.file ? ` ${t.file}:${t.line ?? 1}` : "";
  const lines = [`${t.id} (${t.kind}${t.confidence === "table-only" ? ", table-level only" : ""})${where}`];
  if (t.upstream.length > 0) lines.push(`  upstream: ${t.upstream.join(", ")}`);
  for (const c of t.columns) {
    const sources = c.sources.map((s) => `${s.table}.${s.column}`).join(", ");
    const parts = [
      `  ${c.name}`,
      c.transform,
      ...(t.file ? [`line ${c.line}`] : []),
      ...(sources ? [`<- ${sources}`] : []),
    ];
    if (c.expression && c.transform !== "passthrough" && c.transform !== "rename")
      parts.push(`= ${c.expression}`);
    lines.push(parts.join("  "));
  }
  for (const r of t.rowSources) lines.push(`  rows: ${r.role} on ${r.table}.${r.column} (line ${r.line})`);
  return lines.join("\n");
}

/** The readable listing `backflow lineage` prints: one block per table, then diagnostics, without control characters. */
export function renderLineageText(graph: LineageGraph): string {
  const blocks = graph.tables.map(tableText);
  const diagnostics = graph.diagnostics.map((d) => `  ${d.file}:${d.line} ${d.severity}: ${d.message}`);
  const tail = diagnostics.length > 0 ? `\n\ndiagnostics:\n${diagnostics.join("\n")}` : "";
  // Names and expressions come from the repository's SQL: no escape sequence reaches the terminal.
  return stripControl(`${blocks.join("\n\n")}${tail}\n`);
}
