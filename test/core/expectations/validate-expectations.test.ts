import { describe, expect, it } from "vitest";
import { parseExpectations } from "../../../src/core/expectations/parse-expectations.js";
import { validateExpectations } from "../../../src/core/expectations/validate-expectations.js";
import type { LineageGraph } from "../../../src/core/lineage/schema.js";
import { fingerprintOf } from "../../../src/core/triage/fingerprint.js";

const graph: LineageGraph = {
  version: 1,
  diagnostics: [],
  tables: [
    {
      id: "orders",
      kind: "model",
      file: "models/orders.sql",
      line: 1,
      confidence: "column",
      upstream: ["raw.shop.orders"],
      columns: [{ name: "customer_id", line: 2, transform: "passthrough", sources: [] }],
      rowSources: [],
    },
    {
      id: "raw.shop.orders",
      kind: "source",
      confidence: "table-only",
      upstream: [],
      columns: [],
      rowSources: [],
    },
  ],
};

const parse = (lines: string[]) =>
  parseExpectations(["```expects", ...lines.map((l) => `- metric: ${l}`), "```"].join("\n")).expectations;

describe("validateExpectations", () => {
  it("binds expectations to the fingerprint triage gives their signals", () => {
    const { bound, problems } = validateExpectations({
      expectations: parse([
        "null_rate(ORDERS.customer_id) <= 0.01 within 1d",
        "row_count(shop.orders) > 1 for 1d",
      ]),
      graph,
      repo: "acme/shop",
    });
    expect(problems).toEqual([]);
    expect(bound.map((b) => b.tableId)).toEqual(["orders", "raw.shop.orders"]);
    expect(bound[0]?.fingerprint).toBe(
      fingerprintOf({ repo: "acme/shop", dataset: "orders", column: "customer_id", metric: "completeness" }),
    );
    expect(bound[1]?.fingerprint).toBe(
      fingerprintOf({ repo: "acme/shop", dataset: "raw.shop.orders", metric: "volume" }),
    );
  });

  it("reports unknown datasets and columns with suggestions, and skips column checks on table-only tables", () => {
    const { bound, problems } = validateExpectations({
      expectations: parse([
        "volume(order) > 1 within 1d",
        "completeness(orders.customer) >= 0.9 within 1d",
        "completeness(raw.shop.orders.x) >= 0.9 within 1d",
      ]),
      graph,
      repo: "acme/shop",
    });
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, "dataset `order` is not in the lineage — did you mean `orders`?"],
      [3, "column `customer` is not in `orders` — did you mean `customer_id`?"],
    ]);
    expect(bound.map((b) => b.column)).toEqual(["x"]);
  });
});
