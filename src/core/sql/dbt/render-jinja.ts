/** Renders a dbt model (SQL + Jinja) into plain SQL with a map back to the source lines. Never throws. */
import { assembleOutput } from "./assemble-output.js";
import type { DbtGraph } from "./dbt-graph.js";
import { JinjaRenderer } from "./jinja-renderer.js";
import { lexTemplate } from "./lex-template.js";
import type { MacroLibrary } from "./macro-library.js";
import { parseTemplate } from "./parse-template.js";

export type JinjaContext = {
  /** ref('m') or ref('pkg','m') → the text to put in SQL (H2 passes the lineage table id, e.g. "m"). */
  ref(name: string, pkg?: string): string;
  /** source('s','t') → text in SQL (H2 passes "s.t"). */
  source(sourceName: string, tableName: string): string;
  /** From dbt_project.yml `vars:` (flattened for the project). */
  vars: Readonly<Record<string, unknown>>;
  /** Render is_incremental() as this value. */
  isIncremental: boolean;
  /** What {{ this }} renders as (the model's own id). */
  thisRelation: string;
  /** Optional `target` fields; defaults: name "dev", type "postgres", schema "public", database "dev". */
  target?: Readonly<{ name?: string; type?: string; schema?: string; database?: string }>;
  /**
   * Optional texts of the project's macro files (`macros/**.sql`). Their `{% macro %}`s become callable, so
   * project macros render instead of degrading. Problems inside these files are not reported here.
   */
  macroSources?: readonly string[];
  /** The project's macros, indexed once per build (see `macroLibraryOf`); wins over `macroSources`. */
  macros?: MacroLibrary;
  /** The project's name, so `{{ <name>.<macro>() }}` reaches its macros too. */
  projectName?: string;
  /**
   * "plain" renders a SQL file outside any dbt project: only harmless globals (`var` with a default,
   * `env_var`, `is_incremental()`, Python built-ins); other names and macros degrade to placeholders.
   */
  mode?: "dbt" | "plain";
  /**
   * "flip" takes the other branch of an `{% if %}` whose condition calls an unknown macro (`is_init()`),
   * so the branch a normal render skips can be read for its tables. Default "keep": such a call is true.
   */
  unknownConditions?: "keep" | "flip";
  /**
   * The value of `execute`. dbt models run with it true, so that is what their SQL is at run time; a query
   * result (`run_query`, `statement`) is then unknown. Default false (what `dbt parse` sees).
   */
  execute?: boolean;
  /**
   * The project's models, seeds and sources: `graph.nodes`/`graph.sources`, and what `adapter.get_relation`,
   * `load_relation` and `adapter.get_columns_in_relation` answer for relations the project defines.
   */
  graph?: DbtGraph;
};

export type JinjaDiagnostic = { line: number; severity: "warning" | "error"; message: string };

export type RenderedSql = {
  sql: string;
  /** lineMap[i] = 1-based line in the ORIGINAL file for 0-based line i of `sql`. Same length as sql.split("\n"). */
  lineMap: number[];
  refs: Array<{ name: string; pkg?: string; line: number }>;
  sources: Array<{ sourceName: string; tableName: string; line: number }>;
  /** Merged config(...) kwargs (materialized, alias, schema, unique_key, ...). */
  config: Record<string, unknown>;
  diagnostics: JinjaDiagnostic[];
  /**
   * How many `{% for %}` loops iterated a value only the warehouse knows (an unknown macro's result, such
   * as `adapter.get_columns_in_relation`): they rendered nothing, so the SQL may lack columns.
   */
  unknownLoops?: number;
};

/**
 * Renders `text` with dbt semantics. Unknown macros become `__backflow_macro_<name>__` placeholders with a
 * warning; template errors become one "error" diagnostic each and the broken tag is dropped.
 *
 * @example renderJinja("select * from {{ ref('orders') }}", ctx).sql === "select * from orders"
 */
export function renderJinja(text: string, ctx: JinjaContext): RenderedSql {
  const sourceLineCount = text.split("\n").length;
  try {
    const lexed = lexTemplate(text);
    const parsed = parseTemplate(lexed.segments);
    const renderer = new JinjaRenderer(ctx);
    for (const p of [...lexed.problems, ...parsed.problems]) renderer.report(p.line, "error", p.message);
    for (const p of parsed.warnings) renderer.report(p.line, "warning", p.message);
    const pieces = renderer.render(parsed.nodes);
    const { sql, lineMap } = assembleOutput(pieces, sourceLineCount);
    return {
      sql,
      lineMap,
      refs: renderer.refs,
      sources: renderer.sources,
      config: renderer.config,
      diagnostics: renderer.sortedDiagnostics(),
      ...(renderer.unknownLoops > 0 ? { unknownLoops: renderer.unknownLoops } : {}),
    };
  } catch (error) {
    return stripJinja(text, sourceLineCount, error);
  }
}

/** Last resort when rendering itself fails: blank out every tag, keep the line structure. */
function stripJinja(text: string, sourceLineCount: number, error: unknown): RenderedSql {
  const sql = text.replace(/\{[{%#][\s\S]*?(?:[}%#]\}|$)/g, (tag) => tag.replace(/[^\n]/g, ""));
  const reason = error instanceof Error ? error.message : String(error);
  return {
    sql,
    lineMap: Array.from({ length: sourceLineCount }, (_, i) => i + 1),
    refs: [],
    sources: [],
    config: {},
    diagnostics: [
      {
        line: 1,
        severity: "error",
        message: `could not render the Jinja in this file (${reason}); tags were removed`,
      },
    ],
  };
}
