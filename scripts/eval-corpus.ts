/**
 * Measures the lineage engine on a real SQL corpus (evaluation only, never shipped): which share of the
 * model files gets column-level lineage, table-only lineage or nothing, and why the rest fails.
 *
 *   tsx scripts/eval-corpus.ts <dir> --dialect D [--models GLOB]... [--context GLOB]... [--exclude GLOB]...
 *                              [--label NAME] [--json OUT.json] [--sqlglot]
 *
 * dbt projects are found by their dbt_project.yml; plain SQL files count only when they match --models.
 * --context files (bigquery-etl's `view.sql`) are analysed and linked, as a repository configured to read
 * them would be, but not counted: the measured files stay the same.
 * --sqlglot parses the same rendered text with Debian's python3-sqlglot as a reference parser.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readLocalRepo } from "../src/cli/read-local-repo.js";
import { parseConfig } from "../src/core/config/parse-config.js";
import { type Dialect, DialectSchema } from "../src/core/config/schema.js";
import { buildLineage } from "../src/core/lineage/build-lineage.js";
import { declaredColumns, seedColumns } from "../src/core/lineage/declared-columns.js";
import type { FileAnalysis } from "../src/core/lineage/file-analysis.js";
import { pathMatcher } from "../src/core/lineage/path-matcher.js";
import type { Diagnostic, LineageGraph } from "../src/core/lineage/schema.js";
import { findDbtProjects, modelNameOf } from "../src/core/sql/dbt/find-dbt-projects.js";
import { macroLibraryOf } from "../src/core/sql/dbt/macro-library.js";
import { renderJinja } from "../src/core/sql/dbt/render-jinja.js";
import { quoteIdentifier } from "../src/core/sql/dialects.js";

export type Coverage = "column" | "table-only" | "nothing";
export type FileResult = {
  path: string;
  coverage: Coverage;
  cause?: string;
  where?: string;
  /** Parsed whole, and no column is unknown: the file has no traceable column because it reads none. */
  sourceless?: boolean;
};

/**
 * Causes of a parse failure, matched (first wins) against the source lines around the reported error.
 * The window is the user's file, so dbt files still show their Jinja there.
 */
const CAUSES: ReadonlyArray<readonly [string, RegExp]> = [
  [
    "UDF / CREATE FUNCTION / PROCEDURE",
    /\bcreate\s+(or\s+replace\s+)?(temp(orary)?\s+)?(function|procedure)\b|\breturns\b|\blanguage\s+js\b/i,
  ],
  ["MERGE / UPDATE / DELETE", /\bmerge\s+into\b|\bmerge\b|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b/i],
  [
    "scripting (DECLARE / SET / BEGIN / IF / EXECUTE)",
    /\bdeclare\b|^\s*set\s+\w+\s*=|\bbegin\b|\bexecute\s+immediate\b|\bend\s+if\b|\bcall\s+\w/im,
  ],
  ["QUALIFY", /\bqualify\b/i],
  ["IGNORE / RESPECT NULLS", /\b(ignore|respect)\s+nulls\b/i],
  ["IS [NOT] DISTINCT FROM", /\bis\s+(not\s+)?distinct\s+from\b/i],
  ["STRUCT / ARRAY<> types and literals", /\bstruct\s*[<(]|\barray\s*<|\bstruct\b/i],
  ["UNNEST / array subscript OFFSET()", /\bunnest\b|\[\s*(safe_)?(offset|ordinal)\s*\(/i],
  ["PIVOT / UNPIVOT", /\b(un)?pivot\b/i],
  ["GROUP BY ALL / ORDER BY ALL", /\b(group|order)\s+by\s+all\b/i],
  ["LATERAL FLATTEN / table functions", /\blateral\b|\bflatten\s*\(|\btable\s*\(/i],
  [
    "Snowflake semi-structured col:path / ::variant",
    /[\w\]"')]:[a-z_"$]|::\s*(variant|object|array)\b|\bparse_json\b/i,
  ],
  ["string literal forms (triple-quoted, r'', b'')", /"""|'''|\b[rb]{1,2}(['"])/i],
  ["* EXCEPT / REPLACE / EXCLUDE", /\*\s*(except|replace|exclude)\b/i],
  ["CONNECT BY / START WITH", /\bconnect\s+by\b|\bstart\s+with\b/i],
  [
    "CAST / SAFE_CAST to a type name the grammar lacks (INT, BOOLEAN, BYTES, BIGNUMERIC)",
    /\bsafe_cast\s*\([^()]*\bas\s+int\b|\bas\s+(bytes|boolean|bignumeric|bigdecimal)\b/i,
  ],
  ["field access on a call or subquery result: fn(x).*, (SELECT …).field", /\)\s*\.\s*[\w*]/],
  ["keyword used as a table alias (table)", /`\s+table\b|\btable\.\w/i],
  [
    "ordered aggregate (ARRAY_AGG(… ORDER BY …), WITHIN GROUP, LISTAGG)",
    /\b(array_agg|string_agg)\s*\((?:[^()]|\([^()]*\))*\border\s+by\b|\bwithin\s+group\b|\blistagg\b/i,
  ],
  ["backtick-quoted function name (UDF call)", /`[^`]+`\s*\(/],
  ["bitwise operators (&, |, ^, <<, >>)", /[^&]&[^&]|<<|>>|\s\|\s|\s\^\s/],
  ["named arguments (name => value)", /=>/],
  ["named window (OVER w / WINDOW clause)", /\bover\s+\w+\b|\bover\s*\(\s*\w+\s*\)|\bwindow\s+\w+\s+as\b/i],
  ["RECURSIVE CTE", /\bwith\s+recursive\b/i],
  ["INTERVAL syntax", /\binterval\b/i],
  ["window frame with a non-literal bound", /\b(rows|range)\s+between\b/i],
  [
    "set operation (UNION DISTINCT, EXCEPT, INTERSECT)",
    /\bunion\s+distinct\b|\bintersect\b|\bexcept\s+distinct\b|\bby\s+name\b/i,
  ],
  ["error at a Jinja expression (often a {% set %} block holding a macro call)", /\{\{|\{%/],
  ["CREATE / ALTER / other DDL", /\b(create|alter|drop|grant|copy|truncate)\b/i],
];

/** An unknown macro, or a project macro that could not be rendered: both leave a placeholder. */
function isMacroPlaceholder(message: string): boolean {
  return (
    message.startsWith("unknown macro") || /^macro "[^"]+" at line \d+ could not be rendered/.test(message)
  );
}

type MacroAt = { readonly line: number; readonly name: string };

/** The placeholder macros of a file's diagnostics, with their lines. */
function macrosAt(diagnostics: readonly Diagnostic[]): MacroAt[] {
  return diagnostics
    .filter((d) => isMacroPlaceholder(d.message))
    .map((d) => ({ line: d.line, name: /"([^"]+)"/.exec(d.message)?.[1] ?? "?" }));
}

/**
 * Why a dbt model was kept table-level with no columns (its body could not be analysed), from the
 * warning Backflow gives it: the macro it calls, or Jinja that renders nothing.
 */
function unanalysedCause(diagnostics: readonly Diagnostic[]): string | undefined {
  for (const d of diagnostics) {
    const found = /^the body of model \S+ could not be analysed \((.*?)\); /.exec(d.message)?.[1];
    if (!found) continue;
    const macro = /the macro "([^"]+)"/.exec(found)?.[1];
    return macro
      ? `model body is a macro that needs the warehouse or a package (${macro})`
      : `model body: ${found}`;
  }
  return undefined;
}

/** The failure cause of one diagnostic, from its message and the source lines around it. */
export function causeOf(
  diagnostic: Diagnostic,
  source: string,
  unknownMacroLines: readonly MacroAt[],
): string {
  const { message, line } = diagnostic;
  if (message.startsWith("could not render the Jinja")) return "Jinja could not be rendered";
  if (message.startsWith("cannot expand *")) return "SELECT * over a table with unknown columns";
  if (!message.startsWith("could not parse"))
    return `other diagnostic: ${message.replace(/\d+|"[^"]*"/g, "…").slice(0, 60)}`;
  // An unknown macro standing for a whole CTE body or statement makes the parser stop a few lines later.
  const macro = unknownMacroLines.find((m) => m.line >= line - 15 && m.line <= line + 1);
  if (macro) return `unknown dbt macro near the error (${macro.name})`;
  const lines = source.split("\n");
  const window = lines.slice(Math.max(0, line - 3), line + 1).join("\n");
  for (const [cause, pattern] of CAUSES) if (pattern.test(window)) return cause;
  const unexpected = /unexpected (.+?)(?:\)|; lineage)/.exec(message)?.[1] ?? "?";
  const token = /end of input/.test(unexpected) ? "end of input" : (unexpected.split(",").pop() ?? "").trim();
  return `other (parser stopped at ${token.slice(0, 24)})`;
}

function hasColumnSources(analysis: FileAnalysis, graph: LineageGraph): boolean {
  for (const table of analysis.tables) {
    if (table.confidence !== "column") continue;
    if (table.columns.some((c) => c.sources.length > 0)) return true;
    // `SELECT *` placeholders only get sources once the cross-file pass has expanded them.
    const linked = graph.tables.find((t) => t.id === table.id && t.file === analysis.path);
    if (linked?.columns.some((c) => c.sources.length > 0)) return true;
  }
  return false;
}

/** Classifies one model file and picks the cause that best explains why it is not column-level. */
export function classifyFile(analysis: FileAnalysis, graph: LineageGraph, source: string): FileResult {
  const path = analysis.path;
  const mine = [...analysis.diagnostics, ...graph.diagnostics.filter((d) => d.file === path)];
  const macroLines = macrosAt(mine);
  const failures = mine.filter(
    (d) => d.message.startsWith("could not parse") || d.message.startsWith("could not render the Jinja"),
  );
  const first = failures[0] ?? mine.find((d) => d.message.startsWith("cannot expand *"));
  const where = first ? `${path}:${first.line}` : undefined;
  if (analysis.tables.length === 0) {
    const gated = /\{%-?\s*if\b/.test(source) ? " (the Jinja if/else branches rendered no SQL)" : "";
    const cause = first ? causeOf(first, source, macroLines) : `no statement that produces a table${gated}`;
    return { path, coverage: "nothing", cause, ...(where ? { where } : {}) };
  }
  if (hasColumnSources(analysis, graph)) return { path, coverage: "column" };
  const columns = analysis.tables.flatMap((t) => t.columns);
  const unanalysed = columns.length === 0 ? unanalysedCause(mine) : undefined;
  const cause = first
    ? causeOf(first, source, macroLines)
    : unanalysed
      ? unanalysed
      : columns.some((c) => c.star)
        ? "SELECT * over a table with unknown columns"
        : columns.every((c) => c.transform === "constant")
          ? "parsed; every column is a constant (nothing to trace)"
          : "parsed; no column has a source (constants, COUNT(*), table functions)";
  const sourceless =
    !first && columns.length > 0 && columns.every((c) => c.transform !== "unknown" && !c.star);
  return {
    path,
    coverage: "table-only",
    cause,
    ...(where ? { where } : {}),
    ...(sourceless ? { sourceless } : {}),
  };
}

/** Every statement-level parse failure in the corpus, including those in files that are column-level. */
export function failureCauses(
  analyses: readonly FileAnalysis[],
  files: ReadonlyMap<string, string>,
): Map<string, { count: number; example: string }> {
  const causes = new Map<string, { count: number; example: string }>();
  for (const analysis of analyses) {
    const source = files.get(analysis.path) ?? "";
    const macroLines = macrosAt(analysis.diagnostics);
    for (const d of analysis.diagnostics) {
      if (!d.message.startsWith("could not parse") && !d.message.startsWith("could not render the Jinja"))
        continue;
      const cause = causeOf(d, source, macroLines);
      const seen = causes.get(cause);
      causes.set(cause, { count: (seen?.count ?? 0) + 1, example: seen?.example ?? `${d.file}:${d.line}` });
    }
  }
  return causes;
}

/** How many files call each macro the renderer does not know (project macros, packages). */
function unknownMacros(analyses: readonly FileAnalysis[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const analysis of analyses) {
    const names = new Set(
      analysis.diagnostics.flatMap((d) => {
        const unknown = /^unknown macro "([^"]+)"/.exec(d.message)?.[1];
        const failed = /^macro "([^"]+)" at line \d+ could not be rendered/.exec(d.message)?.[1];
        return unknown ? [unknown] : failed ? [`${failed} (project macro, not rendered)`] : [];
      }),
    );
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15));
}

/**
 * The never-invent property over a whole corpus: source columns the graph reports that their table does
 * not have, where the table's columns are known from SQL analysis (a model analysed at column level with
 * no unknown `*`) or from a dbt seed's CSV header. `undeclared` lists the same for tables whose columns come only from dbt YAML: a YAML
 * `columns:` list may name only some columns, so a miss there is not evidence of a wrong source.
 */
export function inventedSources(
  graph: LineageGraph,
  files: ReadonlyMap<string, string>,
): { invented: string[]; undeclared: string[] } {
  const known = new Map<string, ReadonlySet<string>>();
  for (const t of graph.tables) {
    if (!t.file || t.kind === "source" || t.confidence !== "column") continue;
    if (!t.columns.some((c) => c.name === "*")) known.set(t.id, new Set(t.columns.map((c) => c.name)));
  }
  const projects = findDbtProjects(files);
  // A seed's CSV header is its complete column list, as SQL analysis is: a miss there is an invented source.
  for (const t of projects.flatMap((p) => seedColumns(p, files))) {
    if (!known.has(t.id)) known.set(t.id, new Set(t.columns.map((c) => c.toLowerCase())));
  }
  const declared = new Map<string, ReadonlySet<string>>();
  for (const t of declaredColumns({ files, projects })) {
    const id = t.id.toLowerCase();
    if (!known.has(id) && t.columns.length > 0)
      declared.set(id, new Set(t.columns.map((c) => c.toLowerCase())));
  }
  const invented: string[] = [];
  const undeclared: string[] = [];
  for (const t of graph.tables) {
    if (!t.file || t.kind === "source") continue;
    for (const c of t.columns) {
      for (const s of c.sources) {
        const line = `${t.file}:${c.line} ${t.id}.${c.name} <- ${s.table}.${s.column}`;
        if (known.get(s.table)?.has(s.column) === false) invented.push(line);
        else if (declared.get(s.table)?.has(s.column) === false) undeclared.push(line);
      }
    }
  }
  return { invented, undeclared };
}

type SqlglotResult = { parsed: number; total: number; seconds: number };

/** Renders each model like the engine does and asks python3-sqlglot whether it parses; undefined if absent. */
function compareWithSqlglot(
  analyses: readonly FileAnalysis[],
  files: ReadonlyMap<string, string>,
  dialect: Dialect,
): SqlglotResult | undefined {
  const projects = findDbtProjects(files);
  const dir = mkdtempSync(join(tmpdir(), "eval-corpus-"));
  try {
    analyses.forEach((analysis, i) => {
      const text = files.get(analysis.path) ?? "";
      const project = projects.find((p) => modelNameOf(p, analysis.path) !== null);
      const q = (...parts: string[]) => parts.map((p) => quoteIdentifier(dialect, p.toLowerCase())).join(".");
      const sql = project
        ? renderJinja(text, {
            ref: (name) => q(name),
            source: (s, t) => q(s, t),
            vars: project.vars,
            isIncremental: false,
            thisRelation: q(modelNameOf(project, analysis.path) ?? "this"),
            target: { type: dialect },
            projectName: project.name,
            macros: macroLibraryOf({ macroPaths: project.macroPaths ?? [], files }),
          }).sql
        : text;
      writeFileSync(join(dir, `${i}.sql`), sql);
    });
    const read = { postgres: "postgres", duckdb: "duckdb", ansi: "" }[dialect as string] ?? dialect;
    const program = `
import sqlglot, sys, os, time
d = sys.argv[1]; read = sys.argv[2] or None; ok = 0; n = 0; t = time.time()
for f in os.listdir(d):
    n += 1
    try:
        sqlglot.parse(open(os.path.join(d, f)).read(), read=read); ok += 1
    except Exception:
        pass
print(ok, n, time.time() - t)`;
    const run = spawnSync("/usr/bin/python3", ["-c", program, dir, read], { encoding: "utf8" });
    const [parsed, total, seconds] = run.stdout.trim().split(/\s+/).map(Number);
    if (run.status !== 0 || parsed === undefined || total === undefined || seconds === undefined) {
      process.stderr.write(`sqlglot comparison skipped: ${run.stderr.split("\n").slice(-2).join(" ")}\n`);
      return undefined;
    }
    return { parsed, total, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (n: number, total: number) => (total === 0 ? "–" : `${((100 * n) / total).toFixed(1)}%`);

type Tally = Map<string, { count: number; example: string }>;
const sorted = (m: Tally) =>
  [...m.entries()].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));

type Options = {
  root: string;
  dialect: Dialect;
  models?: string[];
  context?: string[];
  exclude?: string[];
  label?: string;
  json?: string;
  sqlglot?: boolean;
};

function readOptions(): Options {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dialect: { type: "string" },
      models: { type: "string", multiple: true },
      context: { type: "string", multiple: true },
      exclude: { type: "string", multiple: true },
      label: { type: "string" },
      json: { type: "string" },
      sqlglot: { type: "boolean" },
    },
  });
  const root = positionals[0];
  const dialect = DialectSchema.safeParse(values.dialect);
  if (!root || !dialect.success) {
    process.stderr.write(
      "usage: tsx scripts/eval-corpus.ts <dir> --dialect D [--models GLOB]... [--json OUT]\n",
    );
    process.exit(2);
  }
  return { ...values, root, dialect: dialect.data };
}

// CPU time, not wall time: the measurement machine is shared, and CPU time is what a run costs.
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Builds the lineage of the corpus twice (first and warm run) and summarises coverage and causes. */
function measure(options: Options) {
  // The default reader takes CSVs up to the end of their header: dbt seeds' columns, as the App reads them.
  const files = readLocalRepo(options.root);
  const config = parseConfig(
    JSON.stringify({
      dialect: options.dialect,
      // A glob that matches nothing: without --models only dbt models count.
      models: {
        paths: [...(options.models ?? ["\u0000none"]), ...(options.context ?? [])],
        exclude: options.exclude ?? [],
      },
    }),
  );
  // Context files are linked (their tables' columns are known) but are not among the measured files.
  const measuredPlain = pathMatcher(options.models ?? ["\u0000none"]);
  const contextOnly = pathMatcher(options.context ?? ["\u0000none"]);
  const counted = (path: string) => measuredPlain(path) || !contextOnly(path);
  const started = process.cpuUsage();
  const { graph, analyses } = buildLineage(files, config);
  const seconds = cpuSeconds(started);
  // A second full build (no cache) once the parser grammars are loaded and the code is JIT-compiled.
  const warmStart = process.cpuUsage();
  buildLineage(files, config);
  const warmSeconds = cpuSeconds(warmStart);
  const list = [...analyses.values()]
    .filter((a) => counted(a.path))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const results = list.map((a) => classifyFile(a, graph, files.get(a.path) ?? ""));
  const count = (c: Coverage) => results.filter((r) => r.coverage === c).length;
  const fileCauses: Tally = new Map();
  for (const r of results) {
    if (!r.cause) continue;
    const seen = fileCauses.get(r.cause);
    fileCauses.set(r.cause, { count: (seen?.count ?? 0) + 1, example: seen?.example ?? r.where ?? r.path });
  }
  const sqlglot = options.sqlglot ? compareWithSqlglot(list, files, options.dialect) : undefined;
  const { invented, undeclared } = inventedSources(graph, files);
  return {
    label: options.label ?? options.root,
    dialect: options.dialect,
    files: results.length,
    column: count("column"),
    tableOnly: count("table-only"),
    nothing: count("nothing"),
    // Column-level, plus files parsed whole whose columns are all known to read nothing (constants, COUNT(*)).
    fullyAnalysed: count("column") + results.filter((r) => r.sourceless).length,
    // Files with no statement the parser rejected, comparable with the sqlglot figure.
    parsedWhole: list.filter((a) => !a.diagnostics.some((d) => d.message.startsWith("could not parse")))
      .length,
    seconds: Number(seconds.toFixed(3)),
    filesPerSecond: Math.round(results.length / seconds),
    warmSeconds: Number(warmSeconds.toFixed(3)),
    warmFilesPerSecond: Math.round(results.length / warmSeconds),
    fileCauses: sorted(fileCauses),
    statementFailures: sorted(failureCauses(list, files)),
    unknownMacros: unknownMacros(list),
    invented: { count: invented.length, examples: invented.slice(0, 10), all: invented },
    // Sources missing from a table whose only column list is a (possibly partial) dbt YAML one.
    notInYaml: { count: undeclared.length, examples: undeclared.slice(0, 10), all: undeclared },
    ...(sqlglot ? { sqlglot } : {}),
    results,
  };
}

function printMarkdown(summary: ReturnType<typeof measure>): void {
  const out = (text: string) => process.stdout.write(text);
  const { label, dialect, files, column, tableOnly, nothing, filesPerSecond, warmFilesPerSecond } = summary;
  out("| corpus | dialect | files | column-level | table-only | nothing | files/s (first, warm) |\n");
  out("|---|---|---|---|---|---|---|\n");
  out(`| ${label} | ${dialect} | ${files} | ${pct(column, files)} | ${pct(tableOnly, files)} | `);
  out(`${pct(nothing, files)} | ${filesPerSecond}, ${warmFilesPerSecond} |\n`);
  const tables: Array<[string, string, ReturnType<typeof sorted>]> = [
    ["cause (files not column-level)", "files", summary.fileCauses],
    ["cause (statements that failed to parse)", "statements", summary.statementFailures],
  ];
  for (const [title, unit, rows] of tables) {
    out(`\n| ${title} | ${unit} | example |\n|---|---|---|\n`);
    for (const [cause, { count, example }] of rows) out(`| ${cause} | ${count} | ${example} |\n`);
  }
  out(`\nunknown macros (files): ${JSON.stringify(summary.unknownMacros)}\n`);
  const brief = ({ count, examples }: { count: number; examples: string[] }) => ({ count, examples });
  out(`\ninvented source columns (never-invent property): ${JSON.stringify(brief(summary.invented))}\n`);
  out(
    `\nsources not in a table's dbt YAML column list (may be partial): ${JSON.stringify(brief(summary.notInYaml))}\n`,
  );
  const { sqlglot } = summary;
  if (sqlglot)
    out(
      `\nsqlglot parses ${sqlglot.parsed}/${sqlglot.total} rendered files (${pct(sqlglot.parsed, sqlglot.total)})\n`,
    );
}

function main(): void {
  const options = readOptions();
  const summary = measure(options);
  const json = {
    ...summary,
    fileCauses: Object.fromEntries(summary.fileCauses),
    statementFailures: Object.fromEntries(summary.statementFailures),
  };
  if (options.json) writeFileSync(options.json, `${JSON.stringify(json, null, 2)}\n`);
  const { results: _results, fileCauses: _f, statementFailures: _s, unknownMacros: _u, ...head } = json;
  process.stdout.write(`${JSON.stringify(head)}\n\n`);
  printMarkdown(summary);
}

main();
