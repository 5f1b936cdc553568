import { describe, expect, it } from "vitest";
import { renderLineageText } from "../../../src/core/lineage/render-lineage-text.js";
import type { LineageGraph } from "../../../src/core/lineage/schema.js";

describe("renderLineageText", () => {
  it("prints names from SQL without terminal escape sequences", () => {
    const graph = {
      version: 1,
      tables: [
        {
          id: "orders\u001b]0;pwned\u0007",
          kind: "model",
          file: "models/orders.sql",
          line: 1,
          confidence: "column",
          upstream: [],
          columns: [{ name: "id\u001b[2J", line: 2, transform: "passthrough", sources: [] }],
          rowSources: [],
        },
      ],
      diagnostics: [],
    } as unknown as LineageGraph;
    const text = renderLineageText(graph);
    expect(text).toContain("orders (model) models/orders.sql:1");
    expect(text).toContain("  id  passthrough  line 2");
    expect(text.includes("\u001b") || text.includes("\u0007")).toBe(false);
  });
});
