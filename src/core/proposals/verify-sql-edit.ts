import type { BackflowConfig } from "../config/schema.js";
import { lineageOf } from "../lineage/build-lineage.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { RepoFiles } from "../repo-files.js";

export type EditCheck =
  | { readonly ok: true; readonly graph: LineageGraph }
  | { readonly ok: false; readonly reason: string };

function signatures(graph: LineageGraph): Map<string, string> {
  const out = new Map<string, string>();
  for (const table of graph.tables) {
    out.set(`${table.id}.`, `${table.confidence}|${table.columns.map((c) => c.name).join(",")}`);
    for (const column of table.columns) {
      const sources = column.sources.map((s) => `${s.table}.${s.column}`).sort();
      out.set(`${table.id}.${column.name}`, `${column.transform}|${sources.join(",")}`);
    }
  }
  return out;
}

function problemsOf(graph: LineageGraph, path: string): string[] {
  return graph.diagnostics.filter((d) => d.file === path).map((d) => `${d.severity}: ${d.message}`);
}

/**
 * Checks an edited file the way lineage reads it (dbt Jinja rendered with H2's context, then parsed):
 * the file must produce no new diagnostic, and every column's lineage (transform and sources, lines
 * aside) must be unchanged except the columns in `changing` (`table.column`).
 */
export function verifySqlEdit(input: {
  files: RepoFiles;
  config: BackflowConfig;
  path: string;
  after: string;
  changing: ReadonlySet<string>;
  before?: LineageGraph;
}): EditCheck {
  const before = input.before ?? lineageOf(input.files, input.config);
  const edited = new Map(input.files);
  edited.set(input.path, input.after);
  const after = lineageOf(edited, input.config);
  const known = new Set(problemsOf(before, input.path));
  const fresh = problemsOf(after, input.path).filter((p) => !known.has(p));
  if (fresh.length > 0)
    return { ok: false, reason: `the edited ${input.path} no longer reads cleanly (${fresh[0]})` };
  const was = signatures(before);
  const now = signatures(after);
  for (const [key, signature] of was) {
    if (input.changing.has(key)) continue;
    const current = now.get(key);
    if (current !== signature) {
      return {
        ok: false,
        reason: `the edit would change the lineage of ${key.endsWith(".") ? `table ${key.slice(0, -1)}` : key} (${signature} → ${current ?? "missing"})`,
      };
    }
  }
  return { ok: true, graph: after };
}
