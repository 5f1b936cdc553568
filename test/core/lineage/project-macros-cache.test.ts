import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { FileAnalysisSchema } from "../../../src/core/lineage/file-analysis.js";
import { columnSummary, tableOf } from "./helpers.js";

const SOURCES = `version: 2
sources:
  - name: raw
    tables:
      - name: orders
        columns: [{ name: id }, { name: amount }, { name: status }, { name: ordered_at }]
`;

const PROJECT = new Map([
  ["dbt/dbt_project.yml", "name: shop\nmacro-paths: ['dbt_macros']\n"],
  ["dbt/models/sources.yml", SOURCES],
  [
    "dbt/dbt_macros/money.sql",
    "{% macro cents_to_dollars(column, scale=2) -%}\n  ({{ column }} / 100)::numeric(16, {{ scale }})\n{%- endmacro %}",
  ],
  [
    "dbt/dbt_macros/group.sql",
    "{% macro first_order_cte(relation) %}\nfirst_orders as (\n  select id, min(ordered_at) as first_at from {{ relation }} group by id\n)\n{% endmacro %}",
  ],
  [
    "dbt/models/orders.sql",
    "select\n  id,\n  {{ cents_to_dollars('amount') }} as amount_usd,\n  status\nfrom {{ source('raw', 'orders') }}",
  ],
  [
    "dbt/models/first_orders.sql",
    "with {{ first_order_cte(source('raw', 'orders')) }}\nselect id as order_id, first_at from first_orders",
  ],
  ["dbt/models/statuses.sql", "select distinct status from {{ ref('orders') }}"],
]);

const config = parseConfig("dialect: postgres\n");
/** Table id → column summary, for comparing whole graphs. */
const summary = (files: ReadonlyMap<string, string>, cache?: ReturnType<typeof buildLineage>["analyses"]) => {
  const built = buildLineage(files, config, cache ? { cache } : {});
  return {
    built,
    tables: built.graph.tables.map((t) => ({ id: t.id, columns: columnSummary(t), upstream: t.upstream })),
    diagnostics: built.graph.diagnostics,
  };
};

describe("project macros in lineage", () => {
  const { graph } = buildLineage(PROJECT, config);

  it("traces a column computed by a project macro to the column passed to it", () => {
    expect(columnSummary(tableOf(graph, "orders"))).toEqual([
      "id: passthrough <- raw.orders.id",
      "amount_usd: expression <- raw.orders.amount",
      "status: passthrough <- raw.orders.status",
    ]);
    expect(tableOf(graph, "orders").columns.map((c) => c.line)).toEqual([2, 3, 4]);
  });

  it("parses a model whose CTE is a project macro, with the source the macro reads", () => {
    const first = tableOf(graph, "first_orders");
    expect(first.confidence).toBe("column");
    expect(columnSummary(first)).toEqual([
      "order_id: rename <- raw.orders.id",
      "first_at: aggregate <- raw.orders.ordered_at",
    ]);
    expect(graph.diagnostics.filter((d) => d.file.startsWith("dbt/models/"))).toEqual([]);
  });

  it("degrades a macro outside the macro paths like an unknown macro", () => {
    const moved = new Map(PROJECT);
    moved.delete("dbt/dbt_macros/money.sql");
    moved.set("dbt/macros/money.sql", PROJECT.get("dbt/dbt_macros/money.sql") ?? "");
    const orders = tableOf(buildLineage(moved, config).graph, "orders");
    expect(columnSummary(orders)[1]).toBe("amount_usd: unknown <- raw.orders.amount");
  });
});

describe("the analysis cache with project macros", () => {
  const cold = buildLineage(PROJECT, config);
  const cache = new Map(
    [...cold.analyses].map(([k, v]) => [k, FileAnalysisSchema.parse(JSON.parse(JSON.stringify(v)))]),
  );
  const reusedPaths = (built: ReturnType<typeof buildLineage>) =>
    [...built.analyses.values()]
      .filter((a) => [...cache.values()].includes(a))
      .map((a) => a.path)
      .sort();

  it("re-analyses only the models that call a changed macro, and equals a cold build", () => {
    const changed = new Map(PROJECT).set(
      "dbt/dbt_macros/money.sql",
      "{% macro cents_to_dollars(column, scale=2) -%}\n  round({{ column }} / 100.0, {{ scale }})\n{%- endmacro %}",
    );
    const warm = summary(changed, cache);
    expect(reusedPaths(warm.built)).toEqual(["dbt/models/first_orders.sql", "dbt/models/statuses.sql"]);
    const { built: _cold, ...coldSummary } = summary(changed);
    const { built: _warm, ...warmSummary } = warm;
    expect(warmSummary).toEqual(coldSummary);
  });

  it("re-analyses a model when a macro it calls appears, and equals a cold build", () => {
    const files = new Map(PROJECT).set(
      "dbt/models/uses_later.sql",
      "select {{ later('status') }} as s from {{ ref('orders') }}",
    );
    const first = buildLineage(files, config);
    const added = new Map(files).set(
      "dbt/dbt_macros/later.sql",
      "{% macro later(c) %}upper({{ c }}){% endmacro %}",
    );
    const warm = buildLineage(added, config, { cache: first.analyses });
    const cold = buildLineage(added, config);
    expect(columnSummary(tableOf(warm.graph, "uses_later"))).toEqual(["s: expression <- orders.status"]);
    expect(warm.graph).toEqual(cold.graph);
  });

  it("reuses every analysis when nothing changed", () => {
    expect(reusedPaths(buildLineage(PROJECT, config, { cache }))).toEqual([
      "dbt/models/first_orders.sql",
      "dbt/models/orders.sql",
      "dbt/models/statuses.sql",
    ]);
  });
});
