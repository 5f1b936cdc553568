/** PIVOT and UNPIVOT: golden input → column sources, and the forms that must end in a diagnostic. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import type { Dialect } from "../../../src/core/config/schema.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import type { LineageGraph } from "../../../src/core/lineage/schema.js";
import { columnSummary, tableOf } from "./helpers.js";

const KNOWN = new Map<string, readonly string[]>([
  ["sales", ["id", "region", "month", "amount", "jan", "feb"]],
  ["quarters", ["product", "q1_a", "q1_b", "q2_a", "q2_b"]],
]);

function lineage(sql: string, dialect: Dialect, known = KNOWN): LineageGraph {
  const config = parseConfig(`dialect: ${dialect}\nmodels:\n  paths: ["models/**/*.sql"]\n`);
  return buildLineage(new Map([["models/m.sql", sql]]), config, { knownColumns: known }).graph;
}

const warnings = (graph: LineageGraph) => graph.diagnostics.map((d) => d.message);

describe("UNPIVOT", () => {
  it.each<Dialect>(["snowflake", "bigquery", "duckdb"])(
    "reads the value column from the IN columns and the name column as a constant (%s)",
    (dialect) => {
      const graph = lineage(
        "SELECT id, metric_name, score FROM sales UNPIVOT (score FOR metric_name IN (jan, feb))",
        dialect,
      );
      expect(columnSummary(tableOf(graph, "m"))).toEqual([
        "id: passthrough <- sales.id",
        "metric_name: constant <- ",
        "score: rename <- sales.jan, sales.feb",
      ]);
      expect(warnings(graph)).toEqual([]);
    },
  );

  it("passes the other columns through and drops the unpivoted ones from *", () => {
    const graph = lineage(
      "select * from sales as s unpivot include nulls (score for metric in (jan as 'j', feb as 'f')) as u",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- sales.id",
      "region: passthrough <- sales.region",
      "month: passthrough <- sales.month",
      "amount: passthrough <- sales.amount",
      "metric: constant <- ",
      "score: rename <- sales.jan, sales.feb",
    ]);
  });

  it("maps BigQuery's multi-column UNPIVOT position by position", () => {
    const graph = lineage(
      "select product, q, a, b from quarters unpivot((a, b) for q in ((q1_a, q1_b) as 'Q1', (q2_a, q2_b) as 'Q2'))",
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "product: passthrough <- quarters.product",
      "q: constant <- ",
      "a: rename <- quarters.q1_a, quarters.q2_a",
      "b: rename <- quarters.q1_b, quarters.q2_b",
    ]);
  });

  it("chains two operators: the second reads the first one's output", () => {
    const graph = lineage(
      "select id, n, v, m, w from sales unpivot (v for n in (jan, feb)) unpivot (w for m in (v, amount))",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- sales.id",
      "n: constant <- ",
      "v: unknown <- ",
      "m: constant <- ",
      "w: rename <- sales.jan, sales.feb, sales.amount",
    ]);
  });
});

describe("PIVOT", () => {
  it("traces each pivoted column to the aggregated and pivot columns, never to a value", () => {
    const graph = lineage(
      "select * from (select region, month, amount from sales) pivot (sum(amount) for month in ('JAN', 'FEB')) as p",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "region: passthrough <- sales.region",
      "jan: aggregate <- sales.amount, sales.month",
      "feb: aggregate <- sales.amount, sales.month",
    ]);
  });

  it("names BigQuery columns alias_value and keeps IN-list aliases", () => {
    const graph = lineage(
      "select * from (select region, month, amount, id from sales) pivot (sum(amount) as total, count(id) as n for month in ('JAN' as j, 'FEB'))",
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "region: passthrough <- sales.region",
      "total_j: aggregate <- sales.amount, sales.month",
      "n_j: aggregate <- sales.id, sales.month",
      "total_feb: aggregate <- sales.amount, sales.month",
      "n_feb: aggregate <- sales.id, sales.month",
    ]);
  });

  it("names DuckDB columns value_alias", () => {
    const graph = lineage(
      "select * from (select region, month, amount from sales) pivot (sum(amount) as total for month in ('JAN', 'FEB'))",
      "duckdb",
    );
    expect(tableOf(graph, "m").columns.map((c) => c.name)).toEqual(["region", "jan_total", "feb_total"]);
  });

  it("renames output columns from the alias column list", () => {
    const graph = lineage(
      "select * from (select region, month, amount from sales) pivot (sum(amount) for month in ('JAN', 'FEB')) as p (r, january, february)",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "r: rename <- sales.region",
      "january: aggregate <- sales.amount, sales.month",
      "february: aggregate <- sales.amount, sales.month",
    ]);
  });

  it("expands * over a table of known columns minus the aggregated and pivot columns", () => {
    const graph = lineage("select * from sales pivot (max(amount) for month in (1, 2)) p", "snowflake");
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- sales.id",
      "region: passthrough <- sales.region",
      "jan: passthrough <- sales.jan",
      "feb: passthrough <- sales.feb",
      "1: aggregate <- sales.amount, sales.month",
      "2: aggregate <- sales.amount, sales.month",
    ]);
  });
});

describe("PIVOT and UNPIVOT forms whose columns cannot be known end in a diagnostic", () => {
  it("a dynamic IN list (ANY) leaves every column unknown, even one named like the input's", () => {
    const graph = lineage(
      "select region, jan from sales pivot (sum(amount) for month in (any order by month))",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["region: unknown <- ", "jan: unknown <- "]);
    expect(warnings(graph)).toContain(
      "PIVOT with a dynamic IN list (ANY or a subquery): its output columns are unknown",
    );
  });

  it("an IN list that is a subquery is dynamic too", () => {
    const graph = lineage(
      "select * from sales pivot (sum(amount) for month in (select distinct month from sales))",
      "snowflake",
    );
    expect(
      tableOf(graph, "m").columns.every((c) => c.transform === "unknown" && c.sources.length === 0),
    ).toBe(true);
    expect(warnings(graph).some((m) => m.includes("dynamic IN list"))).toBe(true);
  });

  it("an operator body it cannot read makes the output unknown", () => {
    const graph = lineage("select score from sales unpivot (score in (jan, feb))", "snowflake");
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["score: unknown <- "]);
    expect(warnings(graph)).toContain("UNPIVOT could not be read: its output columns are unknown");
  });

  it("an UNPIVOT of a column its input does not have is unknown, not invented", () => {
    const graph = lineage(
      "select v from (select id, jan from sales) unpivot (v for n in (jan, mar))",
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["v: unknown <- "]);
    expect(warnings(graph)).toContain(
      "UNPIVOT reads a column its input does not have, or one of unknown origin",
    );
  });

  it("a column list after the alias over a table of unknown columns cannot be matched", () => {
    const graph = lineage(
      "select * from events pivot (count(id) for kind in ('a', 'b')) as p (x, y, z)",
      "snowflake",
      new Map(),
    );
    expect(warnings(graph)).toContain(
      "the column list after a PIVOT/UNPIVOT alias renames columns whose number is unknown",
    );
    expect(tableOf(graph, "m").columns.every((c) => c.sources.length === 0)).toBe(true);
  });
});

describe("set operations keep every branch", () => {
  it("a CTE that UNIONs SELECT * from two tables keeps both tables' sources by position", () => {
    const known = new Map<string, readonly string[]>([
      ["a", ["id", "x"]],
      ["b", ["id2", "y"]],
    ]);
    const graph = lineage(
      "with u as (select * from a union all select * from b) select * from u",
      "postgres",
      known,
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "id: passthrough <- a.id, b.id2",
      "x: passthrough <- a.x, b.y",
    ]);
  });

  it("says so when a branch's * is over a table of unknown columns", () => {
    const graph = lineage("select * from sales union all select * from archive", "postgres");
    expect(tableOf(graph, "m").columns[0]?.sources).toEqual([{ table: "sales", column: "id" }]);
    expect(warnings(graph).some((m) => m.startsWith("cannot expand * from archive (a branch"))).toBe(true);
  });

  it("warns when a * faces named columns in another branch", () => {
    const graph = lineage("select id, region from sales union all select * from archive", "postgres");
    expect(warnings(graph).some((m) => m.includes("mixes * with named columns"))).toBe(true);
  });
});
