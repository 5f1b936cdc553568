import type { AnalyzedColumn, AnalyzedTable, FileAnalysis, SourceRef } from "./file-analysis.js";
import type { Diagnostic, LineageColumn, LineageGraph, LineageTable, RowSource } from "./schema.js";

/** A table whose columns are known from outside the SQL: a dbt source's YAML or a contract. */
export type KnownTable = {
  readonly id: string;
  readonly columns: readonly string[];
  readonly file?: string;
  readonly line?: number;
};

type Produced = AnalyzedTable & { file: string };

function mergeProduced(analyses: readonly FileAnalysis[], diagnostics: Diagnostic[]): Map<string, Produced> {
  const produced = new Map<string, Produced>();
  for (const analysis of analyses) {
    for (const table of analysis.tables) {
      const seen = produced.get(table.id);
      if (!seen) {
        produced.set(table.id, { ...table, file: analysis.path });
        continue;
      }
      if (seen.file !== analysis.path) {
        diagnostics.push({
          file: analysis.path,
          line: table.line,
          severity: "warning",
          message: `table ${table.id} is also produced by ${seen.file}; their lineage is merged`,
        });
      }
      const byName = new Map(seen.columns.map((c) => [c.name, c]));
      for (const column of table.columns) {
        const prior = byName.get(column.name);
        if (prior && !column.star)
          byName.set(column.name, { ...prior, sources: [...prior.sources, ...column.sources] });
        else if (!prior) byName.set(column.name, column);
      }
      produced.set(table.id, {
        ...seen,
        confidence:
          seen.confidence === "table-only" || table.confidence === "table-only" ? "table-only" : "column",
        upstream: [...new Set([...seen.upstream, ...table.upstream])],
        columns: [...byName.values()],
        rowSources: [...seen.rowSources, ...table.rowSources],
      });
    }
  }
  return produced;
}

type Linker = {
  readonly produced: ReadonlyMap<string, Produced>;
  readonly known: ReadonlyMap<string, KnownTable>;
  readonly expanded: Map<string, AnalyzedColumn[]>;
  readonly diagnostics: Diagnostic[];
};

/** Output column names of a table, or undefined when nothing in the repository says what they are. */
function namesOf(linker: Linker, id: string, visiting: Set<string>): string[] | undefined {
  const produced = linker.produced.get(id);
  if (produced && produced.confidence === "column")
    return expandStars(linker, produced, visiting).map((c) => c.name);
  return linker.known.get(id)?.columns.map((c) => c.toLowerCase());
}

function expandStars(linker: Linker, table: Produced, visiting: Set<string>): AnalyzedColumn[] {
  const done = linker.expanded.get(table.id);
  if (done) return done;
  if (visiting.has(table.id)) return table.columns.filter((c) => !c.star);
  visiting.add(table.id);
  const explicit = new Set(table.columns.filter((c) => !c.star).map((c) => c.name));
  const columns = table.columns.flatMap((column): AnalyzedColumn[] => {
    const star = column.star;
    if (!star) return [column];
    const names = namesOf(linker, star.table, visiting);
    if (!names || names.includes("*")) {
      linker.diagnostics.push({
        file: table.file,
        line: column.line,
        severity: "warning",
        message: `cannot expand * from ${star.table}: its columns are unknown; declare them in a contract, a dbt source or a model`,
      });
      return [
        { name: "*", line: column.line, transform: "unknown", sources: [], expression: `${star.table}.*` },
      ];
    }
    return names
      .filter((n) => !star.except.includes(n) && !explicit.has(n))
      .map((name) => ({
        name,
        line: column.line,
        transform: star.replace.includes(name) ? "unknown" : "passthrough",
        sources: star.replace.includes(name) ? [] : [{ table: star.table, column: name }],
      }));
  });
  visiting.delete(table.id);
  linker.expanded.set(table.id, columns);
  return columns;
}

/** Picks the one candidate table that can hold the column; undefined when it cannot be decided. */
function resolveCandidates(linker: Linker, ref: SourceRef): string | undefined {
  if (!ref.candidates) return ref.table;
  const fits = ref.candidates.filter((id) => namesOf(linker, id, new Set())?.includes(ref.column));
  if (fits.length === 1) return fits[0];
  const unknown = ref.candidates.filter((id) => namesOf(linker, id, new Set()) === undefined);
  return fits.length === 0 && unknown.length === 1 ? unknown[0] : undefined;
}

function linkRef(
  linker: Linker,
  ref: SourceRef,
  file: string,
  line: number,
): { table: string; column: string } | undefined {
  const table = resolveCandidates(linker, ref);
  if (table) return { table, column: ref.column };
  linker.diagnostics.push({
    file,
    line,
    severity: "warning",
    message: `column ${ref.column} could come from ${ref.candidates?.join(" or ")}; qualify it with a table alias`,
  });
  return undefined;
}

function linkTable(linker: Linker, table: Produced): LineageTable {
  const columns: LineageColumn[] = expandStars(linker, table, new Set()).map((c) => ({
    name: c.name,
    line: c.line,
    transform: c.transform,
    sources: c.sources.flatMap((s) => linkRef(linker, s, table.file, c.line) ?? []),
    ...(c.expression !== undefined ? { expression: c.expression } : {}),
  }));
  const rowSources: RowSource[] = table.rowSources.flatMap((r) => {
    const ref = linkRef(linker, r, table.file, r.line);
    return ref ? [{ ...ref, role: r.role, line: r.line }] : [];
  });
  return {
    id: table.id,
    kind: table.kind,
    file: table.file,
    line: table.line,
    confidence: table.confidence,
    upstream: table.upstream,
    columns,
    rowSources,
  };
}

function sourceTables(linker: Linker, tables: readonly LineageTable[]): LineageTable[] {
  const referenced = new Map<string, Set<string>>();
  const touch = (id: string) =>
    referenced.get(id) ?? referenced.set(id, new Set()).get(id) ?? new Set<string>();
  for (const table of tables) {
    for (const id of table.upstream) touch(id);
    for (const column of table.columns) for (const s of column.sources) touch(s.table).add(s.column);
    for (const r of table.rowSources) touch(r.table).add(r.column);
  }
  return [...referenced.entries()]
    .filter(([id]) => !linker.produced.has(id))
    .map(([id, names]) => {
      const known = linker.known.get(id);
      const all = [...new Set([...(known?.columns.map((c) => c.toLowerCase()) ?? []), ...[...names].sort()])];
      const line = known?.line ?? 1;
      return {
        id,
        kind: "source" as const,
        ...(known?.file ? { file: known.file, line } : {}),
        confidence: "column" as const,
        upstream: [],
        columns: all.map((name) => ({ name, line, transform: "passthrough" as const, sources: [] })),
        rowSources: [],
      };
    });
}

/**
 * The cross-file pass: merges tables produced by several files, expands `*` from upstream columns
 * (models, dbt sources, known schemas), resolves ambiguous columns, and adds source tables with the
 * columns the SQL reads from them. Runs on cached analyses only; it never parses.
 */
export function linkAnalyses(
  analyses: readonly FileAnalysis[],
  knownTables: readonly KnownTable[],
): LineageGraph {
  const diagnostics: Diagnostic[] = analyses.flatMap((a) => a.diagnostics);
  const produced = mergeProduced(analyses, diagnostics);
  const known = new Map(knownTables.map((t) => [t.id.toLowerCase(), t]));
  const linker: Linker = { produced, known, expanded: new Map(), diagnostics };
  const tables = [...produced.values()].map((t) => linkTable(linker, t));
  const all = [...tables, ...sourceTables(linker, tables)].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return { version: 1, tables: all, diagnostics };
}
