/**
 * dbt seeds' columns come from their CSV header, so `select *` over a seed, and unions by name over seeds,
 * get column-level lineage; YAML, contracts and a catalog win over the header; an unreadable header leaves
 * the seed's columns unknown with a warning.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { columnSummary, tableOf } from "./helpers.js";

const config = parseConfig("dialect: postgres\n");

describe("seed columns from the CSV header", () => {
  it("expands select * from a seed to its header's columns, each sourced from the seed", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["seeds/my_seed.csv", '\uFEFFid,"full name",amount\r\n1,"a, b",3\r\n'],
        ["models/m.sql", "select * from {{ ref('my_seed') }}"],
      ]),
      config,
    );
    const table = tableOf(graph, "m");
    expect(table.upstream).toEqual(["my_seed"]);
    expect(columnSummary(table)).toEqual([
      "id: passthrough <- my_seed.id",
      "full name: passthrough <- my_seed.full name",
      "amount: passthrough <- my_seed.amount",
    ]);
  });

  it("reads seeds under seed-paths (here data/, as older projects named it)", () => {
    const { graph } = buildLineage(
      new Map([
        ["proj/dbt_project.yml", "name: shop\nseed-paths: ['data']\n"],
        ["proj/data/codes.csv", "code,label\n"],
        ["proj/seeds/not_a_seed.csv", "x\n"],
        ["proj/models/m.sql", "select * from {{ ref('codes') }}"],
      ]),
      config,
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "code: passthrough <- codes.code",
      "label: passthrough <- codes.label",
    ]);
  });

  it("unions seeds by name with dbt_utils.union_relations", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["seeds/a.csv", "id,x\n1,2\n"],
        ["seeds/b.csv", "y,id\n3,4\n"],
        [
          "models/u.sql",
          "{{ dbt_utils.union_relations(relations=[ref('a'), ref('b')], source_column_name=none) }}",
        ],
      ]),
      config,
    );
    expect(columnSummary(tableOf(graph, "u"))).toEqual([
      "id: passthrough <- a.id, b.id",
      "x: passthrough <- a.x",
      "y: passthrough <- b.y",
    ]);
  });

  it("takes a contract's columns over the seed's header", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["seeds/s.csv", "a,b\n"],
        ["models/m.sql", "select * from {{ ref('s') }}"],
      ]),
      config,
      { knownColumns: new Map([["s", ["a", "b", "c"]]]) },
    );
    expect(columnSummary(tableOf(graph, "m")).map((c) => c.split(":")[0])).toEqual(["a", "b", "c"]);
  });

  it("leaves an unreadable header's columns unknown, with a warning naming the seed file", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["seeds/empty.csv", ""],
        ["models/m.sql", "select * from {{ ref('empty') }}"],
      ]),
      config,
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["*: unknown <- "]);
    const warning = graph.diagnostics.find((d) => d.file === "seeds/empty.csv");
    expect(warning?.message).toContain("seed empty: its header line is empty, so its columns are unknown");
  });

  it("does not read CSVs outside every project's seed paths", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["exports/raw_orders.csv", "id,total\n"],
        ["models/m.sql", "select * from raw_orders"],
      ]),
      config,
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["*: unknown <- "]);
  });
});
