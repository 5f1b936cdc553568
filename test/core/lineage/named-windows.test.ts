import { describe, expect, it } from "vitest";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

const WINDOWED = `create table out.w as
select
  a,
  sum(a) over w as running,
  rank() over (w order by d) as ranked,
  lag(a) over w2 as previous
from raw.t
window w as (partition by b order by c),
  w2 as (w)`;

describe("named windows", () => {
  it.each(["bigquery", "snowflake", "postgres"] as const)(
    "gives a window column the PARTITION BY and ORDER BY columns of its named window (%s)",
    (dialect) => {
      const graph = lineageOfSql({ "w.sql": WINDOWED }, dialect);
      expect(columnSummary(tableOf(graph, "out.w"))).toEqual([
        "a: passthrough <- raw.t.a",
        "running: window <- raw.t.a, raw.t.b, raw.t.c",
        "ranked: window <- raw.t.d, raw.t.b, raw.t.c",
        "previous: window <- raw.t.a, raw.t.b, raw.t.c",
      ]);
    },
  );

  it("does not loop on windows that name each other", () => {
    const sql = "create table out.w as select sum(a) over w1 as s from raw.t window w1 as (w2), w2 as (w1)";
    const graph = lineageOfSql({ "w.sql": sql }, "bigquery");
    expect(columnSummary(tableOf(graph, "out.w"))[0]).toMatch(/^s: window <- raw\.t\.a/);
  });

  it("resolves a named window declared in a subquery for that subquery's columns", () => {
    const sql = `create table out.w as
select x, s from (select a as x, sum(a) over w as s from raw.t window w as (partition by b)) sub`;
    const graph = lineageOfSql({ "w.sql": sql }, "bigquery");
    expect(columnSummary(tableOf(graph, "out.w"))).toEqual([
      "x: rename <- raw.t.a",
      "s: window <- raw.t.a, raw.t.b",
    ]);
  });
});
