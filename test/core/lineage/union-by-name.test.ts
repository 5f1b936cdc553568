/**
 * Unions that match columns by name: `UNION ALL BY NAME` (BigQuery, Snowflake, DuckDB) and
 * `dbt_utils.union_relations` (tuva's service-category models, mattermost's event registry). A column
 * comes from every branch that has it; a branch whose columns are unknown makes the result unknown.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

describe("UNION ALL BY NAME", () => {
  it("matches named columns by name, not position", () => {
    const graph = lineageOfSql(
      { "u.sql": "select a, b from t1 union all by name select b, a from t2" },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "u"))).toEqual([
      "a: passthrough <- t1.a, t2.a",
      "b: passthrough <- t1.b, t2.b",
    ]);
  });

  it("keeps a column only one branch has, with that branch as its only source", () => {
    const graph = lineageOfSql(
      { "u.sql": "select a, b from t1 union all by name select a, c from t2" },
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "u"))).toEqual([
      "a: passthrough <- t1.a, t2.a",
      "b: passthrough <- t1.b",
      "c: passthrough <- t2.c",
    ]);
  });

  it("expands * from each branch by name once every branch's columns are known", () => {
    const graph = lineageOfSql(
      {
        "one.sql": "select id, x from raw.a",
        "two.sql": "select y, id from raw.b",
        "u.sql": "select * from one union all by name select * from two",
        "down.sql": "select id, y from u",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "u"))).toEqual([
      "id: passthrough <- one.id, two.id",
      "x: passthrough <- one.x",
      "y: passthrough <- two.y",
    ]);
    expect(columnSummary(tableOf(graph, "down"))).toEqual([
      "id: passthrough <- u.id",
      "y: passthrough <- u.y",
    ]);
  });

  it("is unknown, with a warning, when a branch's columns are unknown", () => {
    const graph = lineageOfSql(
      {
        "one.sql": "select id from raw.a",
        "u.sql": "select * from one union all by name select * from raw.unknown_table",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "u"))).toEqual(["*: unknown <- "]);
    expect(graph.diagnostics.some((d) => d.message.includes("a branch of a union by name"))).toBe(true);
  });

  it("reads a column through a CTE that unions by name from each branch that has it, and only those", () => {
    const graph = lineageOfSql(
      {
        "one.sql": "select id, x from raw.a",
        "two.sql": "select id, y from raw.b",
        "u.sql":
          "with c as (select * from one union all by name select * from two) select l.id, l.y from c as l",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "u"))).toEqual([
      "id: passthrough <- one.id, two.id",
      "y: passthrough <- two.y",
    ]);
  });
});

describe("dbt_utils.union_relations", () => {
  const config = parseConfig("dialect: snowflake\n");
  const files = (model: string) =>
    new Map([
      ["dbt_project.yml", "name: shop\n"],
      ["models/a.sql", "select claim_id, data_source, _loaded_at from {{ source('raw', 'a') }}"],
      ["models/b.sql", "select data_source, claim_id, extra from {{ source('raw', 'b') }}"],
      ["models/u.sql", model],
    ]);

  it("unions the relations by name, with _dbt_source_relation and exclude", () => {
    const { graph } = buildLineage(
      files(`with combined as (
  {{ dbt_utils.union_relations(relations=[ref('a'), ref('b')], exclude=["_loaded_at"]) }}
)
select c.claim_id, c.extra, c._dbt_source_relation from combined as c`),
      config,
    );
    const table = tableOf(graph, "u");
    expect(table.upstream.sort()).toEqual(["a", "b"]);
    expect(columnSummary(table)).toEqual([
      "claim_id: passthrough <- a.claim_id, b.claim_id",
      "extra: passthrough <- b.extra",
      "_dbt_source_relation: constant <- ",
    ]);
  });

  it("as the whole model, without the source column when source_column_name is none", () => {
    const { graph } = buildLineage(
      files("{{ dbt_utils.union_relations(relations=[ref('a'), ref('b')], source_column_name=None) }}"),
      config,
    );
    expect(columnSummary(tableOf(graph, "u"))).toEqual([
      "claim_id: passthrough <- a.claim_id, b.claim_id",
      "data_source: passthrough <- a.data_source, b.data_source",
      "_loaded_at: passthrough <- a._loaded_at",
      "extra: passthrough <- b.extra",
    ]);
  });

  it("stays unknown with an include list (the warehouse decides which columns exist)", () => {
    const { graph } = buildLineage(
      files("{{ dbt_utils.union_relations(relations=[ref('a'), ref('b')], include=['claim_id']) }}"),
      config,
    );
    const messages = graph.diagnostics.filter((d) => d.file === "models/u.sql").map((d) => d.message);
    expect(messages.some((m) => m.includes('unknown macro "dbt_utils.union_relations"'))).toBe(true);
  });
});
