import { describe, expect, it } from "vitest";
import { renderLineageReply } from "../../../src/core/commands/render-lineage-reply.js";
import { analyzeScenario } from "../impact/example-scenarios.js";
import { mermaidBlocks, parseMermaid } from "./mermaid-parser.js";

const graph = analyzeScenario("non-breaking").baseGraph;

describe("renderLineageReply", () => {
  it("cites the column's own line, not the table's", () => {
    const { ok, markdown } = renderLineageReply(graph, {
      target: "fct_orders.customer_id",
      direction: "both",
    });
    const column = graph.tables
      .find((t) => t.id === "fct_orders")
      ?.columns.find((c) => c.name === "customer_id");
    expect(ok).toBe(true);
    expect(column?.line).toBeGreaterThan(1);
    expect(markdown.split("\n")[0]).toBe(
      `Lineage of \`fct_orders.customer_id\` (\`models/marts/fct_orders.sql:${column?.line}\`) on the default branch:`,
    );
  });

  it("draws only the tables on the column's paths, with the column highlighted", async () => {
    const { markdown } = renderLineageReply(graph, { target: "fct_orders.customer_id", direction: "both" });
    const [chart = ""] = mermaidBlocks(markdown);
    const drawn = [...chart.matchAll(/^ {2}n\d+\["([^"<]+)/gm)].map((m) => m[1]);
    expect(drawn.length).toBeLessThan(graph.tables.length);
    expect(drawn).toContain("fct_orders");
    expect(drawn).not.toContain("dim_products");
    expect(chart).toMatch(/class n0 selected/);
    expect(markdown).toContain("🟦 blue: the column asked about");
    expect(await parseMermaid(chart)).toEqual({ ok: true, type: "flowchart-v2" });
  });

  it("offers the full table.column when the table name has a typo", () => {
    const { ok, markdown } = renderLineageReply(graph, {
      target: "fct_order.customer_id",
      direction: "both",
    });
    expect(ok).toBe(false);
    expect(markdown).toContain("did you mean `fct_orders.customer_id`?");
  });

  it("offers the full table.column when the column name has a typo", () => {
    const { markdown } = renderLineageReply(graph, { target: "fct_orders.custmer_id", direction: "both" });
    expect(markdown).toContain("did you mean `fct_orders.customer_id`?");
  });
});
