import { describe, expect, it } from "vitest";
import {
  checkSqlAgainstContracts,
  knownColumnsFromContracts,
  outermostCastType,
} from "../../../src/core/contracts/check-sql-against-contract.js";
import { loadFile } from "../../../src/core/contracts/load-contracts.js";
import type { LineageGraph, LineageTable } from "../../../src/core/lineage/schema.js";
import { contractFrom, odcs } from "./fixtures.js";

const contract = contractFrom(
  odcs({
    properties:
      "      - name: order_id\n        physicalType: bigint\n      - name: amount\n        physicalType: numeric(14, 2)\n      - name: customer_id\n        physicalType: integer",
  }),
);

function graph(columns: LineageTable["columns"], extra: Partial<LineageTable> = {}): LineageGraph {
  const table: LineageTable = {
    id: "fct_orders",
    kind: "model",
    file: "models/fct_orders.sql",
    line: 1,
    confidence: "column",
    upstream: [],
    columns,
    rowSources: [],
    ...extra,
  };
  return { version: 1, tables: [table], diagnostics: [] };
}
const col = (name: string, line: number, expression?: string) => ({
  name,
  line,
  transform: "expression" as const,
  sources: [],
  expression,
});

describe("checkSqlAgainstContracts", () => {
  it("finds a contracted column the model no longer produces, on the model file", () => {
    const changes = checkSqlAgainstContracts(graph([col("order_id", 3), col("amount", 4)]), [contract]);
    expect(changes).toMatchObject([
      {
        kind: "column_missing_in_sql",
        class: "breaking",
        column: "customer_id",
        file: "models/fct_orders.sql",
        line: 1,
        dataset: "fct_orders",
      },
    ]);
    expect(changes[0]?.message).toContain("contracts/test.odcs.yaml:");
  });

  it("finds an outermost cast that disagrees with the contract type, and accepts aliases of the same type", () => {
    const columns = [
      col("order_id", 3, "CAST(id AS INT8)"),
      col("amount", 4, "amount::numeric(10,2)"),
      col("customer_id", 5, "cast(user_id as integer) + 0"),
    ];
    const changes = checkSqlAgainstContracts(graph(columns), [contract]);
    expect(changes.map((c) => [c.kind, c.column, c.after, c.line])).toEqual([
      ["type_mismatch_in_sql", "amount", "numeric(10,2)", 4],
    ]);
  });

  it("does not judge table-only lineage or a select * it could not expand", () => {
    expect(checkSqlAgainstContracts(graph([], { confidence: "table-only" }), [contract])).toEqual([]);
    expect(checkSqlAgainstContracts(graph([col("*", 2)]), [contract])).toEqual([]);
  });

  it("reports a contracted model that no longer exists, on the contract", () => {
    const other: LineageGraph = {
      ...graph([]),
      tables: [{ ...graph([]).tables[0], id: "stg_orders" } as LineageTable],
    };
    expect(checkSqlAgainstContracts(other, [contract])).toMatchObject([
      { kind: "model_missing", file: "contracts/test.odcs.yaml" },
    ]);
  });
});

describe("outermostCastType", () => {
  it.each([
    ["cast(x as numeric(12, 2))", "numeric(12, 2)"],
    ["SAFE_CAST(x AS INT64)", "INT64"],
    ["try_cast(case when a then 'as' end as date)", "date"],
    ["x::date", "date"],
    ["(a + b)::numeric(10,2)", "numeric(10,2)"],
    ["cast(x as int) / 100", undefined],
    ["coalesce(cast(x as int), 0)", undefined],
    ["'a::b'", undefined],
  ])("%s → %s", (expression, type) => {
    expect(outermostCastType(expression)).toBe(type);
  });
});

describe("knownColumnsFromContracts", () => {
  it("lists contracted columns per bound table", () => {
    expect(knownColumnsFromContracts([contract]).get("fct_orders")).toEqual([
      "order_id",
      "amount",
      "customer_id",
    ]);
  });
});

describe("nested fields of a Data Contract Specification model", () => {
  it("are members of their parent column: neither expanded into select * nor reported missing", () => {
    const dcs = `dataContractSpecification: 1.1.0
id: c
info:
  version: 1.0.0
models:
  orders:
    fields:
      order_id:
        type: int
      address:
        type: object
        fields:
          city:
            type: text
`;
    const [contract] = loadFile("datacontract.yaml", dcs).contracts;
    if (!contract) throw new Error("fixture did not load");
    const bound = { ...contract, datasets: contract.datasets.map((d) => ({ ...d, tableId: "orders" })) };
    expect(bound.datasets[0]?.columns.map((c) => c.name)).toEqual(["order_id", "address", "address.city"]);
    expect(knownColumnsFromContracts([bound]).get("orders")).toEqual(["order_id", "address"]);
    const graph = {
      version: 1 as const,
      diagnostics: [],
      tables: [
        {
          id: "orders",
          kind: "model" as const,
          file: "models/orders.sql",
          line: 1,
          confidence: "column" as const,
          upstream: [],
          rowSources: [],
          columns: [
            { name: "order_id", line: 1, transform: "constant" as const, sources: [] },
            { name: "address", line: 1, transform: "constant" as const, sources: [] },
          ],
        },
      ],
    };
    expect(checkSqlAgainstContracts(graph, [bound])).toEqual([]);
  });
});
