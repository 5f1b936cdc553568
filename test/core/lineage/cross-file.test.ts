import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

describe("star expansion and cross-file chains", () => {
  it("expands SELECT * and * EXCEPT from the upstream model's columns", () => {
    const graph = lineageOfSql(
      {
        "stg.sql": "select id, lower(email) as email, created_at from raw.users",
        "all_cols.sql": "select * from stg",
        "some_cols.sql": "select * except (created_at) from stg",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "all_cols"))).toEqual([
      "id: passthrough <- stg.id",
      "email: passthrough <- stg.email",
      "created_at: passthrough <- stg.created_at",
    ]);
    expect(columnSummary(tableOf(graph, "some_cols"))).toEqual([
      "id: passthrough <- stg.id",
      "email: passthrough <- stg.email",
    ]);
  });

  it("expands * EXCLUDE under Snowflake through a CTE", () => {
    const graph = lineageOfSql(
      { "a.sql": "select x, y from src", "b.sql": "with c as (select * from a) select * exclude (y) from c" },
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "b"))).toEqual(["x: passthrough <- a.x"]);
  });

  it("leaves * from an unknown table unexpanded with a warning", () => {
    const graph = lineageOfSql({ "m.sql": "select * from raw.events" });
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["*: unknown <- "]);
    expect(graph.diagnostics).toContainEqual(
      expect.objectContaining({
        file: "models/m.sql",
        line: 1,
        message: expect.stringContaining("cannot expand * from raw.events"),
      }),
    );
  });

  it("expands * from known columns passed in (contracts)", () => {
    const files = new Map([["models/m.sql", "select * from raw.events"]]);
    const { graph } = buildLineage(files, parseConfig(""), {
      knownColumns: new Map([["raw.events", ["id", "kind"]]]),
    });
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- raw.events.id",
      "kind: passthrough <- raw.events.kind",
    ]);
    expect(tableOf(graph, "raw.events").columns.map((c) => c.name)).toEqual(["id", "kind"]);
  });

  it("links model → model → source and gives the source only the columns the SQL reads", () => {
    const graph = lineageOfSql({
      "stg_orders.sql":
        "select id as order_id, amount_cents / 100.0 as amount from raw.orders where not is_test",
      "fct.sql": "select order_id, amount from stg_orders",
    });
    expect(tableOf(graph, "fct").upstream).toEqual(["stg_orders"]);
    const source = tableOf(graph, "raw.orders");
    expect(source.kind).toBe("source");
    expect(source.file).toBeUndefined();
    expect(source.columns.map((c) => c.name).sort()).toEqual(["amount_cents", "id", "is_test"]);
  });

  it("resolves an unqualified column of a join by the upstream model's columns", () => {
    const graph = lineageOfSql({
      "a.sql": "select id, name from raw.a",
      "b.sql": "select id, score from raw.b",
      "m.sql": "select a.id, name, score from a join b on a.id = b.id",
    });
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- a.id",
      "name: passthrough <- a.name",
      "score: passthrough <- b.score",
    ]);
  });

  it("warns instead of guessing when an unqualified column could come from two unknown tables", () => {
    const graph = lineageOfSql({ "m.sql": "select name from raw.a join raw.b on raw.a.id = raw.b.id" });
    expect(tableOf(graph, "m").columns[0]?.sources).toEqual([]);
    expect(graph.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining("qualify it"));
  });
});

describe("statements and row sources", () => {
  it("treats a temporary table as an intermediate of the statement that persists", () => {
    const graph = lineageOfSql({
      "job.sql": `create temp table tmp as select id, amount * 2 as doubled from raw.pay where ok;
        create table analytics.out as select id, doubled from tmp;`,
    });
    expect(graph.tables.map((t) => t.id)).not.toContain("tmp");
    const out = tableOf(graph, "analytics.out");
    expect(out.kind).toBe("table");
    expect(out.line).toBe(2);
    expect(out.upstream).toEqual(["raw.pay"]);
    expect(columnSummary(out)).toEqual([
      "id: passthrough <- raw.pay.id",
      "doubled: expression <- raw.pay.amount",
    ]);
    expect(out.rowSources).toEqual([{ table: "raw.pay", column: "ok", role: "filter", line: 1 }]);
  });

  it("reads CREATE VIEW, CREATE OR REPLACE TABLE and INSERT … SELECT with a column list", () => {
    const graph = lineageOfSql(
      {
        "views.sql": `create or replace table mart.a as select x from src;
create view mart.v as select x as y from mart.a;
insert into mart.log (k, n) select id, count(*) from src group by id;`,
      },
      "snowflake",
    );
    expect(tableOf(graph, "mart.v").kind).toBe("view");
    expect(columnSummary(tableOf(graph, "mart.v"))).toEqual(["y: rename <- mart.a.x"]);
    expect(columnSummary(tableOf(graph, "mart.log"))).toEqual([
      "k: passthrough <- src.id",
      "n: aggregate <- ",
    ]);
    expect(tableOf(graph, "mart.log").line).toBe(3);
  });

  it("records filter, join and group columns with their lines", () => {
    const graph = lineageOfSql({
      "m.sql": `select c.region, sum(o.amount) as total
from orders o
join customers c on c.id = o.customer_id
where o.status = 'paid'
group by c.region
having count(*) > 1`,
    });
    expect(tableOf(graph, "m").rowSources).toEqual([
      { table: "customers", column: "id", role: "join", line: 3 },
      { table: "orders", column: "customer_id", role: "join", line: 3 },
      { table: "orders", column: "status", role: "filter", line: 4 },
      { table: "customers", column: "region", role: "group", line: 5 },
    ]);
  });
});
