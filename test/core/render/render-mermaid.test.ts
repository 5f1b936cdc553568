import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeMermaidLabel,
  mermaidLegend,
  renderMermaid,
  stylesIn,
} from "../../../src/core/lineage/render-mermaid.js";
import type { LineageGraph, LineageTable } from "../../../src/core/lineage/schema.js";
import { parseMermaid } from "./mermaid-parser.js";

function table(id: string, upstream: string[], columns: string[] = ["id"]): LineageTable {
  return {
    id,
    kind: "model",
    file: `models/${id}.sql`,
    line: 1,
    confidence: "column",
    upstream,
    columns: columns.map((name, i) => ({ name, line: i + 2, transform: "passthrough", sources: [] })),
    rowSources: [],
  } as LineageTable;
}

/** A chain-and-fan graph of `n` tables: each reads the one before and one a few steps back. */
function bigGraph(n: number, name: (i: number) => string = (i) => `model_${i}`): LineageGraph {
  const tables = Array.from({ length: n }, (_, i) =>
    table(
      name(i),
      i === 0 ? [] : [...new Set([name(i - 1), name(Math.floor(i / 3))])].filter((u) => u !== name(i)),
    ),
  );
  return { version: 1, tables, diagnostics: [] };
}

const ODD = [
  'quote"d',
  "angle<b>",
  "amp&amp;",
  "hash#35;x",
  "semi;colon",
  "pipe|x",
  "brackets[x]{y}",
  "back`tick",
  "end",
  "graph",
  "click",
  "%%comment",
  "unicode_ü_日本",
  "\u001b[2Jansi",
  "new\nline",
];

describe("renderMermaid", () => {
  it("draws a 300-table graph whole that Mermaid parses", async () => {
    const graph = bigGraph(300);
    const chart = renderMermaid(graph, {
      focus: ["model_150"],
      changed: ["model_150"],
      affected: ["model_151"],
      maxNodes: 300,
    });
    expect(chart.split("\n").filter((l) => /^ {2}n\d+\[/.test(l))).toHaveLength(300);
    expect(await parseMermaid(chart)).toEqual({ ok: true, type: "flowchart-v2" });
  });

  it("caps a 300-table graph at maxNodes and counts the rest", async () => {
    const chart = renderMermaid(bigGraph(300), { focus: ["model_0"], maxNodes: 25 });
    expect(chart).toContain('more["275 more tables not shown"]');
    expect(await parseMermaid(chart)).toEqual({ ok: true, type: "flowchart-v2" });
  });

  it("parses with odd table and column names, each in a label", async () => {
    const graph = bigGraph(ODD.length, (i) => ODD[i] as string);
    graph.tables[0] = table(ODD[0] as string, [], ODD);
    const chart = renderMermaid(graph, {
      focus: ODD.map((c) => `${ODD[0]}.${c}`),
      selected: [`${ODD[0]}.end`],
      maxNodes: 50,
    });
    expect(await parseMermaid(chart)).toEqual({ ok: true, type: "flowchart-v2" });
  });

  it("any table name gives a picture Mermaid parses (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 6 }),
        async (names) => {
          const unique = [...new Set(names.map((n) => n.toLowerCase()))];
          const graph = bigGraph(unique.length, (i) => unique[i] as string);
          const chart = renderMermaid(graph, {
            focus: [unique[0] as string],
            changed: [unique.at(-1) as string],
          });
          expect(await parseMermaid(chart)).toEqual({ ok: true, type: "flowchart-v2" });
        },
      ),
      { numRuns: 40 },
    );
  });

  it("styles every table as changed, affected, selected or context, and the legend names only those used", () => {
    const chart = renderMermaid(bigGraph(4), {
      focus: ["model_1"],
      changed: ["model_1"],
      affected: ["model_2"],
    });
    expect(stylesIn(chart).sort()).toEqual(["affected", "changed", "context"]);
    expect(chart).toContain("class n0 changed");
    expect(mermaidLegend(stylesIn(chart))).toBe(
      "_Legend: 🟥 red: changed · 🟨 amber: affected · ⬜ grey: context (on the path, not changed)._",
    );
  });

  it("labels never hold a quote, an angle bracket or a control character", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is their absence
        expect(escapeMermaidLabel(text)).not.toMatch(/["<>`\u0000-\u001f]/);
      }),
    );
  });
});
