import type { RenderedSql } from "../sql/dbt/render-jinja.js";
import type { AnalyzedTable } from "./file-analysis.js";
import type { Diagnostic } from "./schema.js";

const UNKNOWN_MACRO = /^unknown macro "([^"]+)" at line (\d+)/;

function reason(rendered: RenderedSql): { line: number; text: string } {
  for (const d of rendered.diagnostics) {
    const found = UNKNOWN_MACRO.exec(d.message);
    if (found) {
      const line = Number(found[2]) || d.line;
      return { line: Math.max(1, line), text: `it calls the macro "${found[1]}" at line ${line}` };
    }
  }
  if (rendered.sql.trim() === "") {
    return { line: 1, text: "its Jinja renders no SQL with the project's vars" };
  }
  return { line: 1, text: "no statement in its rendered SQL produces the model" };
}

/**
 * The table of a dbt model whose rendered SQL produced none (its body is one macro call, or Jinja
 * branches that render nothing): table-level, reading the `ref()`s and `source()`s the renderer
 * recorded, so the model never vanishes from the graph. Comes with a warning that says why.
 */
export function unanalysedModel(
  path: string,
  modelName: string,
  rendered: RenderedSql,
): { table: AnalyzedTable; diagnostic: Diagnostic } {
  const reads = [
    ...rendered.refs.map((r) => r.name.toLowerCase()),
    ...rendered.sources.map((s) => `${s.sourceName}.${s.tableName}`.toLowerCase()),
  ];
  const why = reason(rendered);
  return {
    table: {
      id: modelName,
      kind: "model",
      line: why.line,
      confidence: "table-only",
      upstream: [...new Set(reads)].filter((id) => id !== modelName),
      columns: [],
      rowSources: [],
    },
    diagnostic: {
      file: path,
      line: why.line,
      severity: "warning",
      message: `the body of model ${modelName} could not be analysed (${why.text}); it is kept with table-level lineage from its ref() and source() calls`,
    },
  };
}
