import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { bindContracts } from "../../../src/core/contracts/bind-contract.js";
import { loadContracts } from "../../../src/core/contracts/load-contracts.js";
import { OdcsContractSchema } from "../../../src/core/contracts/odcs-schema.js";
import { EXAMPLES, odcs, readRepo } from "./fixtures.js";

const shop = readRepo(`${EXAMPLES}shop`);
const shopConfig = parseConfig(shop.get(".github/backflow.yml"));

describe("loadContracts on the example shop repository", () => {
  const { contracts, diagnostics } = loadContracts(shop, shopConfig);

  it("loads both ODCS contracts and the dbt model contract, bound to their models", () => {
    expect(diagnostics).toEqual([]);
    expect(contracts.map((c) => [c.format, c.id, c.datasets.map((d) => d.tableId)])).toEqual([
      ["odcs", "customers", ["dim_customers"]],
      ["odcs", "orders", ["fct_orders"]],
      ["dbt", "dim_customers", ["dim_customers"]],
    ]);
  });

  it("takes owners from the team members with an owner role and from dbt meta.owner", () => {
    const owners = Object.fromEntries(contracts.map((c) => [`${c.format}:${c.id}`, c.owners]));
    expect(owners).toEqual({
      "odcs:orders": ["@shop-data/analytics-eng", "@bob-engineer"],
      "odcs:customers": ["@alice-analyst"],
      "dbt:dim_customers": ["@alice-analyst"],
    });
  });

  it("records the line of every column, rule, SLA and version in the file it came from", () => {
    for (const contract of contracts) {
      const lines = (shop.get(contract.file) ?? "").split("\n");
      for (const dataset of contract.datasets) {
        for (const column of dataset.columns) expect(lines[column.line - 1]).toContain(column.name);
        for (const rule of dataset.rules.filter((r) => r.id)) expect(lines[rule.line - 1]).toContain(rule.id);
        if (dataset.freshness) expect(lines[dataset.freshness.line - 1]).toContain("property: latency");
      }
      if (contract.versionLine) expect(lines[contract.versionLine - 1]).toContain("version:");
    }
  });

  it("normalizes the orders contract's columns, accepted values and freshness SLA", () => {
    const orders = contracts.find((c) => c.id === "orders")?.datasets[0];
    expect(orders?.columns.map((c) => c.name)).toEqual([
      "order_id",
      "customer_id",
      "order_date",
      "status",
      "amount",
      "item_count",
      "updated_at",
    ]);
    expect(orders?.columns.find((c) => c.name === "status")?.allowedValues).toEqual([
      "placed",
      "shipped",
      "completed",
      "return_pending",
      "returned",
    ]);
    expect(orders?.columns.find((c) => c.name === "order_id")).toMatchObject({
      required: true,
      unique: true,
      primaryKey: true,
      physicalType: "bigint",
    });
    expect(orders?.rules.find((r) => r.id === "customer_id_nulls")).toMatchObject({
      column: "customer_id",
      metric: "nullValues",
      operator: "mustBe",
      value: 0,
    });
    expect(orders?.freshness).toMatchObject({ value: 4, unit: "h", element: "fct_orders.updated_at" });
  });

  it("maps dbt constraints and tests onto column flags and accepted values", () => {
    const dim = contracts.find((c) => c.format === "dbt")?.datasets[0];
    expect(dim?.columns.find((c) => c.name === "customer_id")).toMatchObject({
      required: true,
      unique: true,
      primaryKey: true,
      type: "integer",
    });
    expect(dim?.columns.find((c) => c.name === "customer_segment")?.allowedValues).toEqual([
      "prospect",
      "new",
      "returning",
      "loyal",
    ]);
    expect(dim?.rules).toMatchObject([
      { column: "lifetime_value", metric: "check", value: "lifetime_value >= 0" },
    ]);
  });
});

describe("loadContracts on broken files", () => {
  const good = odcs({ properties: "      - name: order_id\n        required: true" });
  const config = parseConfig("");

  it("reports a bad contract with its file, zod path and line, and still loads the others", () => {
    const bad = good.replace("id: orders", "id: broken").replace("required: true", 'required: "yes"');
    const files = new Map([
      ["contracts/good.odcs.yaml", good],
      ["contracts/bad.odcs.yaml", bad],
      ["contracts/syntax.yaml", "id: [unclosed\n"],
    ]);
    const { contracts, diagnostics } = loadContracts(files, config);
    expect(contracts.map((c) => c.id)).toEqual(["orders"]);
    const schemaProblem = diagnostics.find((d) => d.file === "contracts/bad.odcs.yaml");
    expect(schemaProblem).toMatchObject({ severity: "error", path: "schema.0.properties.0.required" });
    expect(schemaProblem?.message).toContain("must be true or false");
    expect(bad.split("\n")[(schemaProblem?.line ?? 0) - 1]).toContain('required: "yes"');
    expect(diagnostics.find((d) => d.file === "contracts/syntax.yaml")?.message).toContain("invalid YAML");
  });

  it("explains a missing kind, an old apiVersion and an incomplete datacontract.yaml (read, not skipped)", () => {
    const files = new Map([
      ["contracts/v2.odcs.yaml", good.replace("v3.1.0", "v2.2.2")],
      ["contracts/dcs.yaml", "dataContractSpecification: 1.2.1\nid: x\n"],
      ["contracts/notes.yaml", "title: meeting notes\n"],
    ]);
    const { diagnostics } = loadContracts(files, config);
    expect(diagnostics.map((d) => [d.file, d.severity])).toEqual([
      ["contracts/dcs.yaml", "error"],
      ["contracts/notes.yaml", "warning"],
      ["contracts/v2.odcs.yaml", "error"],
    ]);
    expect(diagnostics[0]?.message).toMatch(/^info/);
    expect(diagnostics[2]?.message).toContain("ODCS v3");
  });

  it("refuses an alias bomb without crashing", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
      { length: 12 },
      (_, i) =>
        `b${i}: &b${i} [${Array(10)
          .fill(i === 0 ? "*a" : `*b${i - 1}`)
          .join(", ")}]`,
    ).join("\n")}\n`;
    const { contracts, diagnostics } = loadContracts(new Map([["contracts/bomb.yaml", bomb]]), config);
    expect(contracts).toEqual([]);
    expect(diagnostics[0]?.severity).toBe("error");
  });

  it("reports the same contract id used twice", () => {
    const files = new Map([
      ["contracts/a.odcs.yaml", good],
      ["contracts/b.odcs.yaml", good],
    ]);
    expect(loadContracts(files, config).diagnostics[0]?.message).toContain(
      "also used by contracts/a.odcs.yaml",
    );
  });
});

describe("ODCS schema", () => {
  it("keeps fields Backflow does not know at every level", () => {
    const parsed = OdcsContractSchema.parse({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: "x",
      version: "1.0.0",
      status: "active",
      price: { priceAmount: 9 },
      schema: [
        {
          name: "t",
          relationships: [{ to: "u" }],
          properties: [
            { name: "c", partitioned: true, quality: [{ metric: "rowCount", mustBe: 1, scheduler: "cron" }] },
          ],
        },
      ],
    });
    expect(parsed.price).toEqual({ priceAmount: 9 });
    expect(parsed.schema?.[0]?.relationships).toEqual([{ to: "u" }]);
    expect(parsed.schema?.[0]?.properties?.[0]?.partitioned).toBe(true);
    expect(parsed.schema?.[0]?.properties?.[0]?.quality?.[0]?.scheduler).toBe("cron");
  });
});

describe("bindContracts", () => {
  const base = { id: "orders", format: "odcs" as const, file: "c.yaml", owners: [] };
  const dataset = { name: "Orders", tableId: "", line: 3, columns: [], rules: [] };

  it.each([
    ["an explicit contract.dataset binding", { "orders.Orders": "marts.orders_v2" }, {}, "marts.orders_v2"],
    ["an explicit contract binding", { orders: "x_orders" }, {}, "x_orders"],
    [
      "the contract's backflowTable hint",
      {},
      { bindingHint: "fct_orders", physicalName: "tbl" },
      "fct_orders",
    ],
    ["the physical name", {}, { physicalName: "FCT_Orders" }, "fct_orders"],
    ["the lower-cased name", {}, {}, "orders"],
  ])("binds by %s", (_why, bindings, extra, expected) => {
    const { contracts } = bindContracts([{ ...base, datasets: [{ ...dataset, ...extra }] }], bindings);
    expect(contracts[0]?.datasets[0]?.tableId).toBe(expected);
  });

  it("resolves a qualified physical name to the one lineage table with that name, and reports unknown ones", () => {
    const contracts = [
      { ...base, datasets: [{ ...dataset, physicalName: "analytics.public.fct_orders" }] },
      { ...base, id: "ghost", datasets: [{ ...dataset, name: "ghost" }] },
    ];
    const bound = bindContracts(contracts, {}, ["fct_orders", "raw.orders"]);
    expect(bound.contracts.map((c) => c.datasets[0]?.tableId)).toEqual(["fct_orders", "ghost"]);
    expect(bound.diagnostics).toHaveLength(1);
    expect(bound.diagnostics[0]).toMatchObject({ file: "c.yaml", line: 3, severity: "warning" });
    expect(bound.diagnostics[0]?.message).toContain('"ghost.ghost"');
  });
});
