import type { AnalyzedColumn, AnalyzedTable, FileAnalysis, SourceRef } from "./file-analysis.js";
import type { Diagnostic, LineageColumn, LineageGraph, LineageTable, RowSource } from "./schema.js";
import { STRUCT_FIELDS_PREFIX } from "./scope.js";

/** A table whose columns are known from outside the SQL: a dbt source's YAML or a contract. */
export type KnownTable = {
  readonly id: string;
  readonly columns: readonly string[];
  readonly file?: string;
  readonly line?: number;
  /**
   * The list is every column the table has (a contract, a catalog, a seed's CSV header), not some of them
   * (dbt YAML may document a few): a guessed column it lacks is not the table's.
   */
  readonly complete?: boolean;
};

/** A table and the (first) file producing it; kept apart so the analysis object is not copied. */
type Produced = { readonly table: AnalyzedTable; readonly file: string };

/** Folds a second definition of a table into the first: columns by name, upstreams and row sources appended. */
function mergeInto(seen: AnalyzedTable, table: AnalyzedTable): AnalyzedTable {
  const byName = new Map(seen.columns.map((c) => [c.name, c]));
  for (const column of table.columns) {
    const prior = byName.get(column.name);
    if (prior && !column.star)
      byName.set(column.name, { ...prior, sources: prior.sources.concat(column.sources) });
    else if (!prior) byName.set(column.name, column);
  }
  return {
    ...seen,
    confidence:
      seen.confidence === "table-only" || table.confidence === "table-only" ? "table-only" : "column",
    upstream: [...new Set(seen.upstream.concat(table.upstream))],
    columns: [...byName.values()],
    rowSources: seen.rowSources.concat(table.rowSources),
  };
}

function mergeProduced(analyses: readonly FileAnalysis[], diagnostics: Diagnostic[]): Map<string, Produced> {
  const produced = new Map<string, Produced>();
  for (const analysis of analyses) {
    for (const table of analysis.tables) {
      const seen = produced.get(table.id);
      if (!seen) {
        produced.set(table.id, { table, file: analysis.path });
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
      produced.set(table.id, { table: mergeInto(seen.table, table), file: seen.file });
    }
  }
  return produced;
}

type Linker = {
  readonly produced: ReadonlyMap<string, Produced>;
  readonly known: ReadonlyMap<string, KnownTable>;
  readonly expanded: Map<string, AnalyzedColumn[]>;
  /** Output column names by table id, filled as tables are expanded; `null` when unknown. */
  readonly names: Map<string, Names | null>;
  readonly diagnostics: Diagnostic[];
  /** Tables whose `*` is being expanded, to cut cycles; empty between top-level calls. */
  readonly visiting: Set<string>;
};

/**
 * Column names in order (duplicates kept, as `*` expands them) and as a set for membership tests;
 * `complete` when no other column can exist (SQL analysis, or a complete declaration).
 */
type Names = {
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
  readonly complete: boolean;
};

function namesFrom(list: string[], complete: boolean): Names {
  return { list, set: new Set(list), complete };
}

/** Output column names of a table, or undefined when nothing in the repository says what they are. */
function namesOf(linker: Linker, id: string): Names | undefined {
  const memo = linker.names.get(id);
  if (memo !== undefined) return memo ?? undefined;
  const produced = linker.produced.get(id);
  const known = linker.known.get(id);
  if (produced && produced.table.confidence === "column") {
    const columns = expandStars(linker, produced);
    // A model whose SQL leaves columns unknown is described by its declared columns, when it has some.
    const unknown = columns.some((c) => c.name === "*");
    const names =
      unknown && known?.columns.length
        ? namesFrom(
            known.columns.map((c) => c.toLowerCase()),
            known.complete === true,
          )
        : namesFrom(
            columns.map((c) => c.name),
            !unknown,
          );
    // Only a finished expansion is final; one cut short by a cycle is not remembered.
    if (linker.expanded.get(id) === columns) linker.names.set(id, names);
    return names;
  }
  const names = known?.columns.length
    ? namesFrom(
        known.columns.map((c) => c.toLowerCase()),
        known.complete === true,
      )
    : null;
  linker.names.set(id, names);
  return names ?? undefined;
}

function expandStar(
  linker: Linker,
  { file }: Produced,
  column: AnalyzedColumn,
  explicit: ReadonlySet<string>,
): AnalyzedColumn[] {
  const star = column.star;
  if (!star) return [column];
  const names = namesOf(linker, star.table);
  if (!names || names.set.has("*")) {
    linker.diagnostics.push({
      file,
      line: column.line,
      severity: "warning",
      message: `cannot expand * from ${star.table}: its columns are unknown; declare them in a contract or dbt YAML (source or model columns), or give a dbt catalog.json (lineage.catalog, --catalog)`,
    });
    return [
      { name: "*", line: column.line, transform: "unknown", sources: [], expression: `${star.table}.*` },
    ];
  }
  if (star.byName) return expandByName(linker, file, column, names.list, explicit);
  // The other branches of a UNION of `*`s, by position: their columns feed the same outputs.
  const branches = (star.union ?? []).flatMap((branch) => {
    const other = namesOf(linker, branch.table);
    if (other && !other.set.has("*"))
      return [{ table: branch.table, list: other.list.filter((n) => !branch.except.includes(n)) }];
    linker.diagnostics.push({
      file,
      line: column.line,
      severity: "warning",
      message: `cannot expand * from ${branch.table} (a branch of a set operation): its columns are unknown, so its sources are not listed; declare them in a contract or dbt YAML (source or model columns), or give a dbt catalog.json (lineage.catalog, --catalog)`,
    });
    return [];
  });
  const out: AnalyzedColumn[] = [];
  const kept = names.list.filter((name) => !star.except.includes(name));
  for (const [i, name] of kept.entries()) {
    if (explicit.has(name)) continue;
    const replaced = star.replace.includes(name);
    const sources: SourceRef[] = [{ table: star.table, column: name }];
    for (const other of branches) {
      const at = other.list[i];
      if (at !== undefined) sources.push({ table: other.table, column: at });
    }
    out.push({
      name,
      line: column.line,
      transform: replaced ? "unknown" : "passthrough",
      sources: replaced ? [] : sources,
    });
  }
  return out;
}

/**
 * The `*` of a union by name: every column of any branch, once, with a source in each branch that has it.
 * A branch whose columns are unknown makes the whole list unknown (its columns could be any).
 */
function expandByName(
  linker: Linker,
  file: string,
  column: AnalyzedColumn,
  firstList: readonly string[],
  explicit: ReadonlySet<string>,
): AnalyzedColumn[] {
  const star = column.star as NonNullable<AnalyzedColumn["star"]>;
  const branches: Array<{ table: string; list: readonly string[] }> = [
    { table: star.table, list: firstList.filter((n) => !star.except.includes(n)) },
  ];
  for (const branch of star.union ?? []) {
    const names = namesOf(linker, branch.table);
    if (!names || names.set.has("*")) {
      linker.diagnostics.push({
        file,
        line: column.line,
        severity: "warning",
        message: `cannot expand * from ${branch.table} (a branch of a union by name): its columns are unknown, so the union's columns are too; declare them in a contract or dbt YAML (source or model columns), or give a dbt catalog.json (lineage.catalog, --catalog)`,
      });
      return [
        { name: "*", line: column.line, transform: "unknown", sources: [], expression: `${branch.table}.*` },
      ];
    }
    branches.push({ table: branch.table, list: names.list.filter((n) => !branch.except.includes(n)) });
  }
  const order: string[] = [];
  const sources = new Map<string, SourceRef[]>();
  for (const { table, list } of branches) {
    for (const name of list) {
      if (explicit.has(name)) continue;
      const seen = sources.get(name);
      if (seen) seen.push({ table, column: name });
      else {
        order.push(name);
        sources.set(name, [{ table, column: name }]);
      }
    }
  }
  return order.map((name) => ({
    name,
    line: column.line,
    transform: "passthrough",
    sources: sources.get(name) ?? [],
  }));
}

function expandStars(linker: Linker, produced: Produced): AnalyzedColumn[] {
  const { table } = produced;
  const done = linker.expanded.get(table.id);
  if (done) return done;
  if (!table.columns.some((c) => c.star)) {
    linker.expanded.set(table.id, table.columns);
    return table.columns;
  }
  const { visiting } = linker;
  if (visiting.has(table.id)) return table.columns.filter((c) => !c.star);
  visiting.add(table.id);
  const explicit = new Set<string>();
  for (const c of table.columns) if (!c.star) explicit.add(c.name);
  const columns = table.columns.flatMap((column) => expandStar(linker, produced, column, explicit));
  visiting.delete(table.id);
  linker.expanded.set(table.id, columns);
  return columns;
}

/** Picks the one candidate table that can hold the column; undefined when it cannot be decided. */
function resolveCandidates(linker: Linker, ref: SourceRef): string | undefined {
  if (!ref.candidates) return ref.table;
  // A table with columns nobody can list (an unknown `*`) may hold any column: it counts as unknown.
  const known = (id: string) => {
    const names = namesOf(linker, id);
    return names !== undefined && !names.set.has("*") ? names : undefined;
  };
  const fits = ref.candidates.filter((id) => known(id)?.set.has(ref.column));
  if (fits.length === 1) return fits[0];
  const unknown = ref.candidates.filter((id) => known(id) === undefined);
  return fits.length === 0 && unknown.length === 1 ? unknown[0] : undefined;
}

/** How a candidate reads in a message: a table id, or the UNNEST whose struct fields it stands for. */
function candidateLabel(id: string): string {
  return id.startsWith(STRUCT_FIELDS_PREFIX) ? `a field of ${id.slice(STRUCT_FIELDS_PREFIX.length)}` : id;
}

function linkRef(
  linker: Linker,
  ref: SourceRef,
  file: string,
  line: number,
): { table: string; column: string } | undefined {
  if (ref.ifPresent) return branchRef(linker, ref, file, line);
  const table = resolveCandidates(linker, ref);
  if (table && !table.startsWith(STRUCT_FIELDS_PREFIX)) {
    if (ref.guessed && isMissing(linker, table, ref.column)) {
      linker.diagnostics.push({
        file,
        line,
        severity: "warning",
        message: `${ref.column}, an argument of an unknown macro read as a column, is not a column of ${table}: its source is unknown; make the macro known (dbt deps, or the package's macros in the repository) to trace it`,
      });
      return undefined;
    }
    return { table, column: ref.column };
  }
  const tables = (ref.candidates ?? []).filter((id) => !id.startsWith(STRUCT_FIELDS_PREFIX));
  linker.diagnostics.push({
    file,
    line,
    severity: "warning",
    message: table
      ? `column ${ref.column} is not a column of ${tables.join(" or ")}: it is read as ${candidateLabel(table)}, whose fields are not known, so its source is unknown`
      : `column ${ref.column} could come from ${(ref.candidates ?? []).map(candidateLabel).join(" or ")}; qualify it with a table alias`,
  });
  return undefined;
}

/**
 * A branch of a union by name: a source when its table has the column, none when its known columns lack it
 * (that branch gives NULL there), and undecidable, with a warning, when its columns are unknown.
 */
function branchRef(
  linker: Linker,
  ref: SourceRef,
  file: string,
  line: number,
): { table: string; column: string } | undefined {
  const names = namesOf(linker, ref.table);
  if (names && !names.set.has("*"))
    return names.set.has(ref.column) ? { table: ref.table, column: ref.column } : undefined;
  linker.diagnostics.push({
    file,
    line,
    severity: "warning",
    message: `column ${ref.column} may come from ${ref.table} (a branch of a union by name), whose columns are unknown: that source is not listed`,
  });
  return undefined;
}

/** Whether the table's columns are all known and `column` is not one of them. */
function isMissing(linker: Linker, table: string, column: string): boolean {
  const names = namesOf(linker, table);
  return names?.complete === true && !names.set.has("*") && !names.set.has(column);
}

/** Whether an analysed column already is its linked form: no `*` to expand, no ambiguous source. */
function isLinked(c: AnalyzedColumn): boolean {
  if (c.star) return false;
  for (const s of c.sources) if (s.candidates !== undefined || s.ifPresent || s.guessed) return false;
  return true;
}

function linkColumn(linker: Linker, c: AnalyzedColumn, file: string): LineageColumn {
  // Most columns need no linking: share them rather than copy (this pass runs on every rebuild).
  if (isLinked(c)) return c;
  const sources: LineageColumn["sources"] = [];
  for (const s of c.sources) {
    const ref = linkRef(linker, s, file, c.line);
    if (ref) sources.push(ref);
  }
  // Every source undecidable: the value's origin is unknown, not a pass-through of nothing.
  const transform = sources.length === 0 && c.sources.length > 0 ? "unknown" : c.transform;
  const column: LineageColumn = { name: c.name, line: c.line, transform, sources };
  if (c.expression !== undefined) column.expression = c.expression;
  return column;
}

function linkTable(linker: Linker, produced: Produced): LineageTable {
  const { table, file } = produced;
  const expanded = expandStars(linker, produced);
  const columns: LineageColumn[] = expanded.every(isLinked)
    ? expanded
    : expanded.map((c) => linkColumn(linker, c, file));
  let rowSources: RowSource[] = table.rowSources;
  if (table.rowSources.some((r) => r.candidates !== undefined)) {
    rowSources = [];
    for (const r of table.rowSources) {
      const ref = linkRef(linker, r, file, r.line);
      if (ref) rowSources.push({ ...ref, role: r.role, line: r.line });
    }
  }
  return {
    id: table.id,
    kind: table.kind,
    file,
    line: table.line,
    confidence: table.confidence,
    upstream: table.upstream,
    columns,
    rowSources,
  };
}

/** Columns read from each table no file produces, in first-seen order of ids. */
function referencedColumns(linker: Linker, tables: readonly LineageTable[]): Map<string, Set<string>> {
  const referenced = new Map<string, Set<string>>();
  const touch = (id: string, column?: string): void => {
    if (linker.produced.has(id)) return;
    let names = referenced.get(id);
    if (!names) {
      names = new Set();
      referenced.set(id, names);
    }
    if (column !== undefined) names.add(column);
  };
  for (const table of tables) {
    for (const id of table.upstream) touch(id);
    for (const column of table.columns) for (const s of column.sources) touch(s.table, s.column);
    for (const r of table.rowSources) touch(r.table, r.column);
  }
  return referenced;
}

function sourceTables(linker: Linker, tables: readonly LineageTable[]): LineageTable[] {
  const out: LineageTable[] = [];
  for (const [id, read] of referencedColumns(linker, tables)) {
    const known = linker.known.get(id);
    const all = new Set(known?.columns.map((c) => c.toLowerCase()));
    for (const name of [...read].sort()) all.add(name);
    const line = known?.line ?? 1;
    out.push({
      id,
      kind: "source",
      ...(known?.file ? { file: known.file, line } : {}),
      confidence: "column",
      upstream: [],
      columns: [...all].map((name) => ({ name, line, transform: "passthrough", sources: [] })),
      rowSources: [],
    });
  }
  return out;
}

function byId(a: LineageTable, b: LineageTable): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The cross-file pass: merges tables produced by several files, expands `*` from upstream columns
 * (models, dbt sources, known schemas), resolves ambiguous columns, and adds source tables with the
 * columns the SQL reads from them. Runs on cached analyses only; it never parses. Linear in the size
 * of the analyses: every table's column names are computed once and looked up by id.
 */
export function linkAnalyses(
  analyses: readonly FileAnalysis[],
  knownTables: readonly KnownTable[],
): LineageGraph {
  const diagnostics: Diagnostic[] = [];
  for (const a of analyses) for (const d of a.diagnostics) diagnostics.push(d);
  const produced = mergeProduced(analyses, diagnostics);
  // The first declaration of an id that lists columns wins (callers pass the most trusted first).
  const known = new Map<string, KnownTable>();
  for (const t of knownTables) {
    const id = t.id.toLowerCase();
    const seen = known.get(id);
    if (!seen || (seen.columns.length === 0 && t.columns.length > 0))
      known.set(
        id,
        seen
          ? { ...t, ...(seen.file ? { file: seen.file } : {}), ...(seen.line ? { line: seen.line } : {}) }
          : t,
      );
  }
  const linker: Linker = {
    produced,
    known,
    expanded: new Map(),
    names: new Map(),
    diagnostics,
    visiting: new Set(),
  };
  const tables: LineageTable[] = [];
  for (const t of produced.values()) tables.push(linkTable(linker, t));
  const all = tables.concat(sourceTables(linker, tables)).sort(byId);
  return { version: 1, tables: all, diagnostics };
}
