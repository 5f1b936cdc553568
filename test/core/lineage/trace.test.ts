import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { FileAnalysisSchema } from "../../../src/core/lineage/file-analysis.js";
import { escapeMermaidLabel, renderMermaid } from "../../../src/core/lineage/render-mermaid.js";
import { downstreamTables, traceDownstream, traceUpstream } from "../../../src/core/lineage/trace.js";
import { lineageOfSql } from "./helpers.js";

const FILES = {
  "stg.sql": "select id, amount_cents / 100.0 as amount\nfrom raw.pay",
  "fct.sql": "select id,\n  sum(amount) as total\nfrom stg group by 1",
  "report.sql": "select total as revenue from fct",
};

describe("tracing", () => {
  const graph = lineageOfSql(FILES);

  it("traces a column upstream hop by hop with file and line", () => {
    expect(traceUpstream(graph, "report.revenue")).toEqual([
      [
        { table: "report", column: "revenue", transform: "rename", file: "models/report.sql", line: 1 },
        {
          table: "fct",
          column: "total",
          transform: "aggregate",
          file: "models/fct.sql",
          line: 2,
          expression: "sum(amount)",
        },
        {
          table: "stg",
          column: "amount",
          transform: "expression",
          file: "models/stg.sql",
          line: 1,
          expression: "amount_cents / 100.0",
        },
        { table: "raw.pay", column: "amount_cents", transform: "passthrough" },
      ],
    ]);
  });

  it("traces a column downstream to the columns nothing reads", () => {
    const paths = traceDownstream(graph, "raw.pay.amount_cents");
    expect(paths.map((p) => p.map((h) => `${h.table}.${h.column}`))).toEqual([
      ["raw.pay.amount_cents", "stg.amount", "fct.total", "report.revenue"],
    ]);
  });

  it("lists downstream tables nearest first", () => {
    expect(downstreamTables(graph, "raw.pay")).toEqual(["stg", "fct", "report"]);
  });
});

describe("mermaid", () => {
  const graph = lineageOfSql(FILES);

  it("draws the tables around a focused column with edges upstream → downstream and highlights", () => {
    const text = renderMermaid(graph, { focus: ["fct.total"], highlight: ["stg"] });
    expect(text.split("\n")[0]).toBe("flowchart LR");
    expect(text).toContain('n0["fct<br/>total"]');
    expect(text).toMatch(/n1 --> n0/);
    // `highlight` is drawn like a change, so the picture needs only the legend's three colours.
    expect(text).toContain("class n1 changed");
  });

  it("caps the nodes and says how many were left out", () => {
    const text = renderMermaid(graph, { focus: ["report"], maxNodes: 2 });
    expect(text.match(/\["/g)?.length).toBe(3);
    expect(text).toContain('more["2 more tables not shown"]');
  });

  it("escapes labels", () => {
    expect(escapeMermaidLabel('a"<script>`x`')).toBe("a#quot;#lt;script#gt; x");
  });
});

describe("analysis cache", () => {
  it("reuses cached analyses of unchanged files and they survive JSON", () => {
    const files = new Map(Object.entries(FILES).map(([k, v]) => [`models/${k}`, v]));
    const config = parseConfig("");
    const first = buildLineage(files, config);
    const cache = new Map(
      [...first.analyses].map(([k, v]) => [k, FileAnalysisSchema.parse(JSON.parse(JSON.stringify(v)))]),
    );
    const changed = new Map(files).set("models/report.sql", "select total as revenue, id from fct");
    const second = buildLineage(changed, config, { cache });
    const reused = [...second.analyses.values()].filter((a) => [...cache.values()].includes(a));
    expect(reused.map((a) => a.path).sort()).toEqual(["models/fct.sql", "models/stg.sql"]);
    expect(second.graph.tables.find((t) => t.id === "report")?.columns.map((c) => c.name)).toEqual([
      "revenue",
      "id",
    ]);
  });
});
