/** `* REPLACE`, `fn(x).*`, a table alias read as a row, named arguments and BigQuery operators: golden cases. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import type { Dialect } from "../../../src/core/config/schema.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import type { LineageGraph } from "../../../src/core/lineage/schema.js";
import { columnSummary, tableOf } from "./helpers.js";

const KNOWN = new Map<string, readonly string[]>([
  ["a", ["id", "x", "y"]],
  ["b", ["id", "x"]],
]);

function lineage(sql: string, dialect: Dialect = "bigquery"): LineageGraph {
  const config = parseConfig(`dialect: ${dialect}\nmodels:\n  paths: ["models/**/*.sql"]\n`);
  return buildLineage(new Map([["models/m.sql", sql]]), config, { knownColumns: KNOWN }).graph;
}

describe("star forms", () => {
  it("* REPLACE keeps the replacement's own sources instead of an unknown column", () => {
    expect(columnSummary(tableOf(lineage("select * replace (x + y as x) from a"), "m"))).toEqual([
      "id: passthrough <- a.id",
      "y: passthrough <- a.y",
      "x: expression <- a.x, a.y",
    ]);
  });

  it("* EXCEPT over a CTE drops the named columns", () => {
    const graph = lineage("with c as (select id, x, y from a) select * except (x) from c");
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["id: passthrough <- a.id", "y: passthrough <- a.y"]);
  });

  it("fn(x).* is one column of unknown names read from the call's arguments", () => {
    const graph = lineage("select id, parse_record(x).* from a");
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["id: passthrough <- a.id", "*: unknown <- a.x"]);
  });

  it("IF(…, current, previous).* REPLACE reads both rows and keeps the replacement's sources", () => {
    const graph = lineage(
      "select if(c.id is not null, c, p).* replace (f(p.x, c.x) as x) from (select id, x from a) c full join (select id, x from b) p using (id)",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "*: unknown <- a.id, a.x, b.id, b.x",
      "x: expression <- b.x, a.x",
    ]);
  });

  it("a table alias used as a value reads the whole row", () => {
    const graph = lineage("select to_json_string(s) as j from (select id, x from a) s");
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["j: expression <- a.id, a.x"]);
  });
});

describe("BigQuery operators and names the grammar lacks", () => {
  it.each([
    [
      "bitwise and/or/xor/shift",
      "select x & 1 as a1, x | y as a2, x ^ y as a3, x << 2 as a4, ~x as a5 from a",
    ],
    ["a backticked UDF name", "select `moz-fx.udf.bits`(x) as a1, `moz-fx.udf.g`(x, y) as a2 from a"],
    ["named arguments", "select f(input => x) as a1, g(x, mode => y) as a2 from a"],
  ])("%s keep their operands as sources", (_, sql) => {
    const columns = tableOf(lineage(sql), "m").columns;
    expect(columns.length).toBeGreaterThan(1);
    for (const c of columns) {
      expect(c.transform).toBe("expression");
      expect(c.sources.map((s) => s.column)).toContain("x");
    }
  });
});

describe("BigQuery array subscripts", () => {
  it("read the array: a call's result, a struct path, and the fields of an element", () => {
    const graph = lineage(
      "select split(x, '.')[offset(1)] as first, a.`y`[safe_offset(0)].value as v, array_agg(id order by x limit 1)[safe_offset(0)].* from a",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "first: expression <- a.x",
      "v: rename <- a.y",
      "*: unknown <- a.id, a.x",
    ]);
  });
});

describe("parenthesised query bodies", () => {
  it.each<Dialect>(["bigquery", "snowflake", "postgres"])("read in %s", (dialect) => {
    expect(
      columnSummary(tableOf(lineage("with c as ((select id from a)) select * from c", dialect), "m")),
    ).toEqual(["id: passthrough <- a.id"]);
    expect(columnSummary(tableOf(lineage("((select id from a))", dialect), "m"))).toEqual([
      "id: passthrough <- a.id",
    ]);
    expect(
      columnSummary(tableOf(lineage("(select id from a) union all (select x from b)", dialect), "m")),
    ).toEqual(["id: passthrough <- a.id, b.x"]);
  });
});

describe("set operations and frames", () => {
  it("EXCEPT takes values from its first branch only", () => {
    const graph = lineage("select id from a except distinct select id from b");
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["id: passthrough <- a.id"]);
  });

  it("Snowflake's MINUS (read by no grammar as an operator) counts the first branch and says so", () => {
    const graph = lineage("select id, x from a minus select id, x from b", "snowflake");
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["id: passthrough <- a.id", "x: passthrough <- a.x"]);
    expect(graph.diagnostics.some((d) => d.message.includes("could not name (MINUS?)"))).toBe(true);
  });

  it("a query parameter as a window frame bound and LISTAGG … WITHIN GROUP parse", () => {
    const bq = lineage(
      "select sum(x) over (order by id rows between @n preceding and current row) as s from a",
    );
    expect(columnSummary(tableOf(bq, "m"))).toEqual(["s: window <- a.x, a.id"]);
    const sf = lineage("select listagg(x, ',') within group (order by y) as xs from a", "snowflake");
    expect(columnSummary(tableOf(sf, "m"))).toEqual(["xs: aggregate <- a.x"]);
  });
});

describe("names that are not columns", () => {
  it("a bare date part in a date function is not a column", () => {
    const graph = lineage(
      "select date_part(quarter, id) as q, datediff(day, id, x) as n, date_trunc(id, week) as w from a",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "q: expression <- a.id",
      "n: expression <- a.id, a.x",
      "w: expression <- a.id",
    ]);
  });

  it("FLATTEN's VALUE, read unqualified, comes from the flattened column, not the table", () => {
    const graph = lineage(
      "select id, value:name::string as v from a, lateral flatten(input => x)",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["id: passthrough <- a.id", "v: expression <- a.x"]);
  });
});

describe("* over a table function", () => {
  it("takes EXTERNAL_QUERY's columns from its federated SELECT, and the other database's table as the source", () => {
    const graph = lineage(`select * from external_query("conn", "select id, name from users")`);
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- users.id",
      "name: passthrough <- users.name",
    ]);
  });

  it("has unknown column names when EXTERNAL_QUERY's query is not one string literal, not one column named after it", () => {
    const graph = lineage(`select * from external_query("conn", concat("select id ", "from users"))`);
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["*: unknown <- "]);
  });
});

describe("join words are not aliases", () => {
  it("two CROSS JOINs in a row keep the first joined CTE under its own name (the grammar reads `cross` as its alias)", () => {
    const graph = lineage(
      "with l as (select 'a' as loc union all select 'b' as loc), e as (select 'x' as kind) select t.id, l.loc, e.kind from a as t cross join l cross join e",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- a.id",
      "loc: constant <- ",
      "kind: constant <- ",
    ]);
  });
});
