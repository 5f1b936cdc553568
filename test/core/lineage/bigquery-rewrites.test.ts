import { describe, expect, it } from "vitest";
import { parseStatement } from "../../../src/core/sql/parse-statement.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

// STRUCT(...) only parses with the BigQuery grammar, so the Snowflake retry cannot rescue these statements.
const cases = [
  {
    name: "SAFE_CAST to the INT alias",
    sql: "SELECT user_id, SAFE.TIMESTAMP_MILLIS(SAFE_CAST(created_ms AS INT)) AS created_at, STRUCT(user_id AS id) AS s\nFROM `proj.accounts.users`",
    expected: [
      "user_id: passthrough <- proj.accounts.users.user_id",
      "created_at: expression <- proj.accounts.users.created_ms",
      "s: expression <- proj.accounts.users.user_id",
    ],
  },
  {
    name: "CAST to INT and BIGINT",
    sql: "SELECT CAST(a AS INT) AS a_int, CAST(b AS BIGINT) AS b_int, STRUCT(a AS x) AS s FROM `p.d.t`",
    expected: ["a_int: expression <- p.d.t.a", "b_int: expression <- p.d.t.b", "s: expression <- p.d.t.a"],
  },
  {
    name: "GROUP BY ALL",
    sql: "SELECT country, COUNT(DISTINCT client_id) AS clients, STRUCT(country AS c) AS s\nFROM `p.d.t`\nGROUP BY ALL",
    expected: [
      "country: passthrough <- p.d.t.country",
      "clients: aggregate <- p.d.t.client_id",
      "s: expression <- p.d.t.country",
    ],
  },
  {
    name: "QUALIFY",
    sql: "SELECT id, STRUCT(name AS n) AS s\nFROM `p.d.t`\nQUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC) = 1",
    expected: ["id: passthrough <- p.d.t.id", "s: expression <- p.d.t.name"],
  },
  {
    name: "GROUP BY ALL then QUALIFY",
    sql: "SELECT id, MAX(v) AS top, STRUCT(id AS n) AS s\nFROM `p.d.t`\nGROUP BY ALL\nQUALIFY RANK() OVER (ORDER BY MAX(v)) = 1",
    expected: ["id: passthrough <- p.d.t.id", "top: aggregate <- p.d.t.v", "s: expression <- p.d.t.id"],
  },
  {
    name: "DISTINCT, ORDER BY and LIMIT inside ARRAY_AGG and STRING_AGG",
    sql: "SELECT ARRAY_AGG(DISTINCT v IGNORE NULLS ORDER BY ts DESC LIMIT 10) AS vs, STRING_AGG(k, ',' ORDER BY k) AS ks, STRUCT(k AS x) AS s\nFROM `p.d.t`",
    expected: ["vs: aggregate <- p.d.t.v, p.d.t.ts", "ks: aggregate <- p.d.t.k", "s: expression <- p.d.t.k"],
  },
  {
    name: "a field of a call's result",
    sql: "SELECT norm.info(os).name, norm.info(os).version.major AS major, STRUCT(os AS o) AS s\nFROM `p.d.t`\nWHERE norm.info(os).major >= 1",
    expected: ["name: expression <- p.d.t.os", "major: expression <- p.d.t.os", "s: expression <- p.d.t.os"],
  },
  {
    name: "IGNORE NULLS",
    sql: "SELECT LAST_VALUE(v IGNORE NULLS) OVER (PARTITION BY k ORDER BY ts) AS last_v, STRUCT(k) AS s FROM `p.d.t`",
    expected: ["last_v: window <- p.d.t.v, p.d.t.k, p.d.t.ts", "s: expression <- p.d.t.k"],
  },
];

describe("BigQuery aggregates the grammar reads as plain functions", () => {
  it.each([
    ["STRING_AGG(k, ',')", "aggregate <- p.d.t.k"],
    ["ANY_VALUE(v)", "aggregate <- p.d.t.v"],
    ["ANY_VALUE(v) OVER (PARTITION BY k)", "window <- p.d.t.v, p.d.t.k"],
    ["COUNTIF(v > 0)", "aggregate <- p.d.t.v"],
  ])("classifies %s by what it computes", (expr, expected) => {
    const graph = lineageOfSql(
      { "m.sql": `CREATE TABLE \`p.out.m\` AS SELECT ${expr} AS c FROM \`p.d.t\`` },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "p.out.m"))).toEqual([`c: ${expected}`]);
  });
});

describe("BigQuery forms the grammar lacks", () => {
  it.each(cases)("the grammar rejects $name as written", ({ sql }) => {
    expect(parseStatement(sql, "bigquery").ok).toBe(false);
  });

  it.each(cases)("gives column lineage for $name", ({ sql, expected }) => {
    const graph = lineageOfSql({ "m.sql": `CREATE TABLE \`p.out.m\` AS\n${sql}` }, "bigquery");
    const table = tableOf(graph, "p.out.m");
    expect(table.confidence).toBe("column");
    expect(columnSummary(table)).toEqual(expected);
    expect(graph.diagnostics).toEqual([]);
  });

  it("keeps the QUALIFY condition's columns as filter row sources", () => {
    const sql = cases.find((c) => c.name === "QUALIFY")?.sql ?? "";
    const table = tableOf(
      lineageOfSql({ "m.sql": `CREATE TABLE \`p.out.m\` AS\n${sql}` }, "bigquery"),
      "p.out.m",
    );
    expect(table.rowSources.map((r) => `${r.role}:${r.column}:${r.line}`).sort()).toEqual([
      "filter:id:4",
      "filter:updated_at:4",
    ]);
  });
});

describe("BigQuery forms found on bigquery-etl in December 2026", () => {
  it("reads ARRAY_AGG(…) OVER a window (named or inline) as a window over its arguments", () => {
    const graph = lineageOfSql(
      {
        "daily.sql": `SELECT
  user_id,
  udf.mode_last(ARRAY_AGG(country) OVER w1) AS country,
  ARRAY_AGG(city IGNORE NULLS ORDER BY ts DESC LIMIT 1) OVER (PARTITION BY user_id) AS cities
FROM \`p.d.events\`
WINDOW w1 AS (PARTITION BY user_id ORDER BY ts)`,
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "daily"))).toEqual([
      "user_id: passthrough <- p.d.events.user_id",
      "country: window <- p.d.events.country, p.d.events.user_id, p.d.events.ts",
      "cities: window <- p.d.events.city, p.d.events.ts, p.d.events.user_id",
    ]);
  });

  it("reads a typed array literal, empty or not, without its element type", () => {
    const graph = lineageOfSql(
      {
        "typed.sql":
          "SELECT ARRAY<STRUCT<metric STRING, value FLOAT64>>[] AS empty, ARRAY<INT64>[a, b] AS pair FROM `p.d.t`",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "typed"))).toEqual([
      "empty: constant <- ",
      "pair: expression <- p.d.t.a, p.d.t.b",
    ]);
  });
});

describe("BigQuery names the grammar reads as keywords (found on bigquery-etl glam_etl and hubs_derived)", () => {
  it("reads `table` as a table alias and a column qualifier", () => {
    const graph = lineageOfSql(
      {
        "counts.sql":
          "SELECT COALESCE(combo.os, table.os) AS os, table.n FROM `p.d.aggregates` table CROSS JOIN `p.d.combos` combo",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "counts"))).toEqual([
      "os: expression <- p.d.combos.os, p.d.aggregates.os",
      "n: passthrough <- p.d.aggregates.n",
    ]);
  });

  it("reads a backticked keyword as a named argument's name", () => {
    const graph = lineageOfSql(
      {
        "months.sql":
          "SELECT udf.diff_months(start => DATETIME(started, tz), `end` => DATETIME(ended, tz)) AS months FROM `p.d.subs`",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "months"))).toEqual([
      "months: expression <- p.d.subs.started, p.d.subs.tz, p.d.subs.ended",
    ]);
  });
});

describe("BigQuery struct rebuilding, parameterized casts and time travel (found on bigquery-etl subscription_platform)", () => {
  it("parses (SELECT AS STRUCT …) after a comma inside * REPLACE (…)", () => {
    const graph = lineageOfSql(
      {
        "history.sql": `SELECT
  id,
  (
    SELECT AS STRUCT
      subscription.* REPLACE (
        1 AS status,
        (
          SELECT AS STRUCT
            subscription.renewal_info.* REPLACE (CAST(NULL AS INTEGER) AS expiration_intent)
        ) AS renewal_info
      )
  ) AS subscription
FROM \`p.d.changelog\``,
      },
      "bigquery",
    );
    expect(graph.diagnostics.filter((d) => d.message.startsWith("could not parse"))).toEqual([]);
    expect(columnSummary(tableOf(graph, "history"))).toEqual([
      "id: passthrough <- p.d.changelog.id",
      "subscription: expression <- p.d.changelog.subscription",
    ]);
  });

  it("reads CAST(x AS STRUCT<… JSON …>) as an expression of x", () => {
    const graph = lineageOfSql(
      {
        "coupons.sql":
          "SELECT CAST(coupon AS STRUCT<id STRING, metadata JSON>) AS coupon FROM `p.d.discounts`",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "coupons"))).toEqual(["coupon: expression <- p.d.discounts.coupon"]);
  });

  it("reads a table FOR SYSTEM_TIME AS OF a point in time as the table", () => {
    const graph = lineageOfSql(
      {
        "counts.sql":
          "SELECT a.uid, e.email FROM `p.d.accounts` FOR SYSTEM_TIME AS OF TIMESTAMP(@as_of + 1, 'UTC') AS a JOIN `p.d.emails` FOR SYSTEM_TIME AS OF @ts e ON a.uid = e.uid",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "counts"))).toEqual([
      "uid: passthrough <- p.d.accounts.uid",
      "email: passthrough <- p.d.emails.email",
    ]);
  });
});

describe("BigQuery interval units the grammar lacks (found on bigquery-etl apple_subscriptions_revised_changelog_v1)", () => {
  it("reads INTERVAL n MICROSECOND / MILLISECOND, with the amount as a source", () => {
    const graph = lineageOfSql(
      {
        "bumped.sql":
          "SELECT TIMESTAMP_ADD(ts, INTERVAL 1 MICROSECOND) AS next_ts, TIMESTAMP_SUB(ts, INTERVAL lag_ms MILLISECOND) AS prev_ts FROM `p.d.events`",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "bumped"))).toEqual([
      "next_ts: expression <- p.d.events.ts",
      "prev_ts: expression <- p.d.events.ts, p.d.events.lag_ms",
    ]);
  });
});
