import { escapeTableCell } from "./escape-markdown.js";

/** A cell is untrusted text (escaped) or markdown Backflow built itself (`{ md }`, passed through). */
export type Cell = string | number | { readonly md: string };

function renderCell(cell: Cell): string {
  if (typeof cell === "number") return String(cell);
  if (typeof cell === "string") return escapeTableCell(cell);
  return cell.md.replace(/\n+/g, " ").replace(/\|/g, "\\|");
}

/** Renders a GitHub-flavoured markdown table; an empty row list renders `emptyText` instead. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  emptyText = "_none_",
): string {
  if (rows.length === 0) return emptyText;
  const head = `| ${headers.join(" | ")} |`;
  const rule = `| ${headers.map(() => "---").join(" | ")} |`;
  const body = rows.map((row) => `| ${headers.map((_, i) => renderCell(row[i] ?? "")).join(" | ")} |`);
  return [head, rule, ...body].join("\n");
}
