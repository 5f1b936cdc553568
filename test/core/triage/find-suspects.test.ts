import { describe, expect, it } from "vitest";
import { findSuspects } from "../../../src/core/triage/find-suspects.js";
import { graph } from "./graph.js";

describe("findSuspects", () => {
  it("walks three hops upstream, closest first, with file, line, expression and row rules", () => {
    const suspects = findSuspects({ graph, tableId: "fct_revenue", column: "revenue" });
    expect(suspects.map((s) => [s.table, s.column, s.depth, s.transform])).toEqual([
      ["fct_revenue", "revenue", 0, "aggregate"],
      ["stg_payments", "amount", 1, "expression"],
      ["raw.payments", "amount_cents", 2, "unknown"],
    ]);
    const [model, staging, source] = suspects;
    expect(model).toMatchObject({
      file: "models/marts/fct_revenue.sql",
      line: 3,
      expression: "sum(p.amount)",
    });
    expect(model?.rowRules).toEqual([{ table: "marts.orders", column: "order_id", role: "join", line: 6 }]);
    expect(staging).toMatchObject({
      file: "models/staging/stg_payments.sql",
      line: 5,
      expression: "amount_cents / 100.0",
    });
    expect(staging?.rowRules).toEqual([{ table: "raw.payments", column: "status", role: "filter", line: 8 }]);
    expect(source?.file).toBeUndefined();
  });

  it("ranks computed columns before passthroughs at the same depth", () => {
    const g = structuredClone(graph);
    const fct = g.tables.find((t) => t.id === "fct_revenue");
    fct?.columns.push({
      name: "both",
      line: 4,
      transform: "expression",
      expression: "order_id || amount",
      sources: [
        { table: "stg_payments", column: "order_id" },
        { table: "stg_payments", column: "amount" },
      ],
    });
    const depthOne = findSuspects({ graph: g, tableId: "fct_revenue", column: "both" }).filter(
      (s) => s.depth === 1,
    );
    expect(depthOne.map((s) => s.column)).toEqual(["amount", "order_id"]);
  });

  it("puts recently changed files first", () => {
    const suspects = findSuspects({
      graph,
      tableId: "fct_revenue",
      column: "revenue",
      recentlyChanged: new Set(["models/staging/stg_payments.sql"]),
    });
    expect(suspects[0]).toMatchObject({ table: "stg_payments", recentlyChanged: true });
  });

  it("lists upstream tables for a table-level finding", () => {
    const suspects = findSuspects({ graph, tableId: "fct_revenue" });
    expect(suspects.map((s) => [s.table, s.depth])).toEqual([
      ["fct_revenue", 0],
      ["marts.orders", 1],
      ["stg_payments", 1],
      ["staging.orders", 2],
      ["raw.payments", 2],
    ]);
  });

  it("lists only the table itself when the graph does not know it", () => {
    expect(findSuspects({ graph, tableId: "nowhere", column: "x" })).toEqual([
      expect.objectContaining({ table: "nowhere", depth: 0, file: undefined }),
    ]);
  });
});
