import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeImpact } from "../../../src/core/impact/analyze-impact.js";
import { indexLineage, type LineageIndex, traceImpact } from "../../../src/core/impact/trace-impact.js";
import type { LineageGraph, LineageTable } from "../../../src/core/lineage/schema.js";
import { sha1Hex } from "../../../src/core/sql/sha1-hex.js";
import { exampleScenario } from "./example-scenarios.js";

type ColumnEdge = { table: LineageTable; column: string; line: number };
type RowEdge = { table: LineageTable; line: number };

/** The straightforward index: every reverse edge of the whole graph, built up front. */
function eagerIndex(graph: LineageGraph): LineageIndex {
  const columns = new Map<string, ColumnEdge[]>();
  const rows = new Map<string, RowEdge[]>();
  const readers = new Map<string, LineageTable[]>();
  const add = <V>(map: Map<string, V[]>, key: string, value: V) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  for (const table of graph.tables) {
    for (const column of table.columns) {
      for (const s of column.sources)
        add(columns, `${s.table}\u0000${s.column.toLowerCase()}`, {
          table,
          column: column.name,
          line: column.line,
        });
    }
    for (const r of table.rowSources)
      add(rows, `${r.table}\u0000${r.column.toLowerCase()}`, { table, line: r.line });
    for (const up of new Set(table.upstream)) add(readers, up, table);
  }
  return {
    tables: new Map(graph.tables.map((t) => [t.id, t])),
    columnReaders: (t, c) => columns.get(`${t}\u0000${c.toLowerCase()}`) ?? [],
    rowReaders: (t, c) => rows.get(`${t}\u0000${c.toLowerCase()}`) ?? [],
    tableReaders: (t) => readers.get(t) ?? [],
  };
}

const shasOf = (files: ReadonlyMap<string, string>) =>
  new Map([...files].map(([path, text]) => [path, sha1Hex(text)]));

describe("the optimized impact path", () => {
  it.each(["breaking", "non-breaking"] as const)(
    "gives the %s example the same report warm (cached analyses, dbt reads, blob SHAs) as cold",
    (scenario) => {
      const s = exampleScenario(scenario);
      const cold = analyzeImpact({
        base: { files: s.base },
        head: { files: s.head },
        config: s.config,
        changedFiles: s.changed,
      });
      const snapshots = {
        base: { files: s.base, shas: shasOf(s.base) },
        head: { files: s.head, shas: shasOf(s.head) },
      };
      const first = analyzeImpact({ ...snapshots, config: s.config, changedFiles: s.changed });
      const warm = analyzeImpact({
        ...snapshots,
        config: s.config,
        changedFiles: s.changed,
        cache: first.analyses,
        dbtCache: first.dbtReads,
      });
      expect(first.dbtReads.size).toBeGreaterThan(0);
      expect(warm.report.verdict).toBe(scenario);
      expect(warm.report).toEqual(cold.report);
      expect(warm.headGraph).toEqual(cold.headGraph);
      // Warm runs analyse nothing new: every analysis came from the cache.
      expect([...warm.analyses.values()].every((a) => first.analyses.get(a.key) === a)).toBe(true);
    },
  );

  it("re-analyses at head only the files the pull request changed", () => {
    const s = exampleScenario("breaking");
    const base = analyzeImpact({ base: { files: s.base }, head: { files: s.base }, config: s.config });
    const run = analyzeImpact({
      base: { files: s.base },
      head: { files: s.head },
      config: s.config,
      changedFiles: s.changed,
      cache: base.analyses,
    });
    const fresh = [...run.analyses.values()].filter((a) => !base.analyses.has(a.key)).map((a) => a.path);
    expect(fresh.sort()).toEqual(s.changed.filter((p) => p.endsWith(".sql")).sort());
  });

  it("traces the examples' changed columns exactly as a full reverse index does", () => {
    const s = exampleScenario("breaking");
    const { headGraph } = analyzeImpact({
      base: { files: s.base },
      head: { files: s.head },
      config: s.config,
    });
    const lazy = indexLineage(headGraph);
    const eager = eagerIndex(headGraph);
    const starts = headGraph.tables.flatMap((t) => [
      { table: t.id },
      ...t.columns.map((c) => ({ table: t.id, column: c.name })),
    ]);
    expect(starts.length).toBeGreaterThan(20);
    for (const start of starts) expect(traceImpact(lazy, start)).toEqual(traceImpact(eager, start));
  });

  it("traces any graph as a full reverse index does, sources missing from upstream included", () => {
    const ids = ["a", "b", "c", "d", "e"];
    const cols = ["x", "Y", "z"];
    const table = fc.record({
      upstream: fc.subarray(ids),
      columns: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom(...cols),
          sources: fc.array(
            fc.record({ table: fc.constantFrom(...ids), column: fc.constantFrom(...cols, "X") }),
            {
              maxLength: 3,
            },
          ),
        }),
        { selector: (c) => c.name, maxLength: 3 },
      ),
      rows: fc.array(fc.record({ table: fc.constantFrom(...ids), column: fc.constantFrom(...cols) }), {
        maxLength: 2,
      }),
      tableOnly: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(table, { minLength: ids.length, maxLength: ids.length }),
        fc.constantFrom(...ids),
        fc.option(fc.constantFrom(...cols), { nil: undefined }),
        (drafts, startTable, startColumn) => {
          const graph: LineageGraph = {
            version: 1,
            diagnostics: [],
            tables: drafts.map((d, i) => ({
              id: ids[i] ?? "?",
              kind: "model",
              file: `${ids[i]}.sql`,
              line: 1,
              confidence: d.tableOnly ? "table-only" : "column",
              upstream: d.upstream,
              columns: d.columns.map((c, n) => ({ ...c, line: n + 1, transform: "passthrough" })),
              rowSources: d.rows.map((r) => ({ ...r, role: "filter", line: 9 })),
            })),
          };
          const start = { table: startTable, ...(startColumn === undefined ? {} : { column: startColumn }) };
          expect(traceImpact(indexLineage(graph), start)).toEqual(traceImpact(eagerIndex(graph), start));
        },
      ),
      { numRuns: 300 },
    );
  });
});
