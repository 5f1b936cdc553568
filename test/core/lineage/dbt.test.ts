import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { columnSummary, tableOf } from "./helpers.js";

const PROJECT = new Map([
  ["dbt_project.yml", "name: shop\nmodel-paths: ['models']\nvars:\n  min_amount: 0\n"],
  [
    "models/sources.yml",
    `version: 2
sources:
  - name: raw
    tables:
      - name: orders
        columns:
          - name: id
          - name: amount
          - name: updated_at
`,
  ],
  [
    "models/stg_orders.sql",
    `{{ config(materialized='incremental') }}

select
    id as order_id,
    amount,
    updated_at
from {{ source('raw', 'orders') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
  and id not in (select order_id from {{ ref('deleted_orders') }})
{% endif %}`,
  ],
  ["models/all_orders.sql", "select * from {{ ref('stg_orders') }}"],
  [
    "models/fct.sql",
    `select
    order_id,
    {{ cents_to_dollars('amount') }} as dollars
from {{ ref('stg_orders') }}
where amount > {{ var('min_amount') }}`,
  ],
]);

describe("dbt models", () => {
  const { graph } = buildLineage(PROJECT, parseConfig("dialect: postgres\n"));

  it("names models by file, sources by source_name.table_name, and reports lines of the file the user wrote", () => {
    const stg = tableOf(graph, "stg_orders");
    expect(stg.kind).toBe("model");
    expect(stg.file).toBe("models/stg_orders.sql");
    expect(columnSummary(stg)).toEqual([
      "order_id: rename <- raw.orders.id",
      "amount: passthrough <- raw.orders.amount",
      "updated_at: passthrough <- raw.orders.updated_at",
    ]);
    expect(stg.columns.map((c) => c.line)).toEqual([4, 5, 6]);
  });

  it("adds upstreams read only on incremental runs", () => {
    expect(tableOf(graph, "stg_orders").upstream).toEqual(["raw.orders", "deleted_orders"]);
  });

  it("expands * from an upstream model and gives dbt sources their declared columns and file", () => {
    expect(tableOf(graph, "all_orders").columns.map((c) => c.name)).toEqual([
      "order_id",
      "amount",
      "updated_at",
    ]);
    const source = tableOf(graph, "raw.orders");
    expect(source.kind).toBe("source");
    expect(source.file).toBe("models/sources.yml");
  });

  it("treats an unknown macro as an unknown transform of the columns it is given", () => {
    const fct = tableOf(graph, "fct");
    expect(fct.columns[1]).toMatchObject({ name: "dollars", transform: "unknown", line: 3 });
    expect(fct.rowSources).toEqual([{ table: "stg_orders", column: "amount", role: "filter", line: 5 }]);
  });
});
