import { describe, expect, it } from "vitest";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

describe("scalar subqueries over UNNEST", () => {
  it.each(["bigquery", "postgres"] as const)(
    "trace the value to the array the subquery unnests, even when no select item names it (%s)",
    (dialect) => {
      const sql = `create table out.o as
select
  id,
  (select count(*) from unnest(items)) as n_items,
  (select sum(x) from unnest(amounts) as x) as total
from raw.orders`;
      const graph = lineageOfSql({ "o.sql": sql }, dialect);
      expect(columnSummary(tableOf(graph, "out.o"))).toEqual([
        "id: passthrough <- raw.orders.id",
        "n_items: expression <- raw.orders.items",
        "total: expression <- raw.orders.amounts",
      ]);
    },
  );

  it("leaves a subquery over a table alone (COUNT(*) of rows reads no column)", () => {
    const sql = "create table out.c as select (select count(*) from raw.events) as n from raw.orders";
    const graph = lineageOfSql({ "c.sql": sql }, "bigquery");
    expect(columnSummary(tableOf(graph, "out.c"))).toEqual(["n: expression <- "]);
  });
});
