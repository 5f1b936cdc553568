/** SELECT * over tables the SQL cannot describe: contracts, dbt YAML (sources and models), then catalog.json. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { readDbtCatalog } from "../../../src/core/lineage/declared-columns.js";
import { columnSummary, tableOf } from "./helpers.js";

const catalog = JSON.stringify({
  metadata: { dbt_version: "1.8.0" },
  nodes: {
    "model.shop.stg_orders": {
      metadata: { database: "db", schema: "analytics", name: "stg_orders" },
      columns: {
        TOTAL: { name: "TOTAL", index: 2, type: "NUMBER" },
        ORDER_ID: { name: "ORDER_ID", index: 1, type: "NUMBER" },
      },
    },
  },
  sources: {
    "source.shop.raw.payments": {
      metadata: { database: "db", schema: "raw", name: "payments" },
      columns: { ID: { name: "ID", index: 1 }, AMOUNT: { name: "AMOUNT", index: 2 } },
    },
  },
});

function project(extra: Record<string, string> = {}): Map<string, string> {
  return new Map(
    Object.entries({
      "dbt_project.yml": "name: shop\n",
      "models/sources.yml":
        "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: payments\n      - name: refunds\n",
      "models/stg_orders.sql": "select * from {{ macro_we_do_not_know() }}",
      "models/fct_orders.sql": "select * from {{ ref('stg_orders') }}",
      "models/fct_payments.sql": "select * from {{ source('raw', 'payments') }}",
      ...extra,
    }),
  );
}

describe("declared columns expand SELECT *", () => {
  it("reads a dbt catalog.json at lineage.catalog, columns in index order", () => {
    const config = parseConfig("lineage:\n  catalog: target/catalog.json\n");
    const { graph } = buildLineage(project({ "target/catalog.json": catalog }), config);
    expect(columnSummary(tableOf(graph, "fct_payments"))).toEqual([
      "id: passthrough <- raw.payments.id",
      "amount: passthrough <- raw.payments.amount",
    ]);
    expect(columnSummary(tableOf(graph, "fct_orders"))).toEqual([
      "order_id: passthrough <- stg_orders.order_id",
      "total: passthrough <- stg_orders.total",
    ]);
  });

  it("takes the catalog given from outside the repository (the CLI's --catalog)", () => {
    const { graph } = buildLineage(project(), parseConfig(undefined), {
      catalog: { path: "/tmp/catalog.json", text: catalog },
    });
    expect(tableOf(graph, "fct_payments").columns.map((c) => c.name)).toEqual(["id", "amount"]);
  });

  it("prefers contracts, then dbt model YAML, over the catalog", () => {
    const files = project({
      "target/catalog.json": catalog,
      "models/schema.yml":
        "version: 2\nmodels:\n  - name: stg_orders\n    columns:\n      - name: order_id\n      - name: status\n",
    });
    const config = parseConfig("lineage:\n  catalog: target/catalog.json\n");
    const yaml = buildLineage(files, config).graph;
    expect(tableOf(yaml, "fct_orders").columns.map((c) => c.name)).toEqual(["order_id", "status"]);
    const contracted = buildLineage(files, config, {
      knownColumns: new Map([["stg_orders", ["order_id", "placed_at"]]]),
    }).graph;
    expect(tableOf(contracted, "fct_orders").columns.map((c) => c.name)).toEqual(["order_id", "placed_at"]);
  });

  it("reads dbt source YAML columns without any catalog", () => {
    const files = project({
      "models/sources.yml":
        "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: payments\n        columns:\n          - name: id\n          - name: method\n",
    });
    const { graph } = buildLineage(files, parseConfig(undefined));
    expect(columnSummary(tableOf(graph, "fct_payments"))).toEqual([
      "id: passthrough <- raw.payments.id",
      "method: passthrough <- raw.payments.method",
    ]);
  });

  it("reports a configured catalog that is missing or is not a catalog, and expands nothing from it", () => {
    const missing = buildLineage(project(), parseConfig("lineage:\n  catalog: target/catalog.json\n")).graph;
    expect(missing.diagnostics.map((d) => d.message).join("\n")).toMatch(
      /lineage.catalog names target\/catalog.json, which is not in the repository/,
    );
    const broken = buildLineage(
      project({ "target/catalog.json": '{"nodes": ' }),
      parseConfig("lineage:\n  catalog: target/catalog.json\n"),
    ).graph;
    expect(broken.diagnostics.some((d) => d.message.startsWith("target/catalog.json is not JSON"))).toBe(
      true,
    );
    expect(tableOf(broken, "fct_payments").columns.map((c) => c.transform)).toEqual(["unknown"]);
    expect(readDbtCatalog("[1, 2]", "c.json").problem).toBe(
      'c.json is not a dbt catalog.json: it has no "nodes" or "sources"',
    );
  });

  it("rejects a lineage.catalog that is not a path", () => {
    expect(() => parseConfig("lineage:\n  catalog: ''\n")).toThrow(/lineage\.catalog/);
  });
});

describe("model YAML columns are read through the dbt YAML cache", () => {
  const files = new Map([
    ["dbt_project.yml", "name: shop\nmodel-paths: ['models']\n"],
    ["models/raw_orders.sql", "select * from {{ source('erp', 'orders') }}"],
    [
      "models/schema.yml",
      "version: 2\nmodels:\n  - name: raw_orders\n    columns:\n      - name: id\n      - name: amount\n",
    ],
    ["models/orders.sql", "select * from {{ ref('raw_orders') }}"],
  ]);
  const config = parseConfig("dialect: postgres\n");

  it("records the read once and takes it from the cache next time instead of parsing the file again", () => {
    const cold = buildLineage(files, config);
    const key = [...cold.dbtReads.keys()].find((k) => k.startsWith("models\u0000models/schema.yml"));
    expect(key).toBeDefined();
    expect(cold.dbtReads.get(key as string)).toEqual({
      kind: "models",
      models: [{ name: "raw_orders", columns: ["id", "amount"] }],
    });
    expect(columnSummary(tableOf(cold.graph, "orders"))).toEqual([
      "id: passthrough <- raw_orders.id",
      "amount: passthrough <- raw_orders.amount",
    ]);
    // A planted read under the same key stands for the unchanged file: it is used, so nothing was re-parsed.
    const planted = new Map(cold.dbtReads);
    planted.set(key as string, { kind: "models", models: [{ name: "raw_orders", columns: ["id"] }] });
    const warm = buildLineage(files, config, { cache: cold.analyses, dbtCache: planted });
    expect(columnSummary(tableOf(warm.graph, "orders"))).toEqual(["id: passthrough <- raw_orders.id"]);
  });
});
