import { describe, expect, it } from "vitest";
import type { Dialect } from "../../../src/core/config/schema.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

type Case = { name: string; sql: string; dialect?: Dialect; expected: string[] };

// One small case per construct: input SQL of model `m` → expected columns with their exact sources.
const CASES: Case[] = [
  {
    name: "aliases and renames",
    sql: "select o.id as order_id, o.status from raw.orders as o",
    expected: ["order_id: rename <- raw.orders.id", "status: passthrough <- raw.orders.status"],
  },
  {
    name: "arithmetic, functions, casts, CASE and COALESCE with several sources",
    sql: `select a + b as s, upper(c) as u, cast(d as int) as d, case when e > 0 then f else g end as k,
      coalesce(h, i, 0) as co, 1 as one from t`,
    expected: [
      "s: expression <- t.a, t.b",
      "u: expression <- t.c",
      "d: expression <- t.d",
      "k: expression <- t.e, t.f, t.g",
      "co: expression <- t.h, t.i",
      "one: constant <- ",
    ],
  },
  {
    name: "a chain of CTEs keeps the computing transform and its sources",
    sql: `with a as (select x * 2 as y, id from src), b as (select y as z, id from a)
      select z, id from b`,
    expected: ["z: expression <- src.x", "id: passthrough <- src.id"],
  },
  {
    name: "a CTE that shadows a real table name",
    sql: "with orders as (select id, amount * 100 as cents from raw.payments) select id, cents from orders",
    expected: ["id: passthrough <- raw.payments.id", "cents: expression <- raw.payments.amount"],
  },
  {
    name: "a subquery in FROM",
    sql: "select s.total from (select sum(amount) as total from pay) as s",
    expected: ["total: aggregate <- pay.amount"],
  },
  {
    name: "a correlated scalar subquery reads the outer row",
    sql: "select c.id, (select max(o.placed_at) from orders o where o.customer_id = c.id) as last_order from customers c",
    expected: ["id: passthrough <- customers.id", "last_order: expression <- orders.placed_at"],
  },
  {
    name: "joins with aliases and USING",
    sql: "select a.k, a.v, b.w, k as kk from left_t a join right_t b using (k)",
    expected: [
      "k: passthrough <- left_t.k",
      "v: passthrough <- left_t.v",
      "w: passthrough <- right_t.w",
      "kk: rename <- left_t.k",
    ],
  },
  {
    name: "aggregates with GROUP BY ordinals",
    sql: "select customer_id, count(*) as n, sum(amount) as total from orders group by 1",
    expected: [
      "customer_id: passthrough <- orders.customer_id",
      "n: aggregate <- ",
      "total: aggregate <- orders.amount",
    ],
  },
  {
    name: "window functions include PARTITION BY and ORDER BY columns",
    sql: "select lag(amount) over (partition by customer_id order by placed_at) as prev from orders",
    expected: ["prev: window <- orders.amount, orders.customer_id, orders.placed_at"],
  },
  {
    name: "UNION ALL takes sources from every branch",
    sql: "select id, email from web_users union all select user_id, mail from app_users",
    expected: [
      "id: passthrough <- web_users.id, app_users.user_id",
      "email: passthrough <- web_users.email, app_users.mail",
    ],
  },
  {
    name: "BigQuery backticked project.dataset.table and UNNEST",
    dialect: "bigquery",
    sql: "select e.user_id, tag from `my-proj.analytics.events` as e, unnest(e.tags) as tag",
    expected: [
      "user_id: passthrough <- my-proj.analytics.events.user_id",
      "tag: expression <- my-proj.analytics.events.tags",
    ],
  },
  {
    name: "Snowflake QUALIFY",
    dialect: "snowflake",
    sql: "select id, status from events qualify row_number() over (partition by id order by ts desc) = 1",
    expected: ["id: passthrough <- events.id", "status: passthrough <- events.status"],
  },
  {
    name: "unknown dbt macro placeholders are unknown expressions that keep real column arguments",
    sql: "select __backflow_macro_cents_to_dollars__(amount) as dollars, __backflow_macro_x__ as y from pay",
    expected: ["dollars: unknown <- pay.amount", "y: unknown <- "],
  },
  {
    name: "IS DISTINCT FROM and IGNORE NULLS are rewritten, not fatal",
    sql: "select first_value(v ignore nulls) over (partition by k order by ts) as fv from t where a is distinct from b",
    expected: ["fv: window <- t.v, t.k, t.ts"],
  },
];

describe("column lineage per construct", () => {
  it.each(CASES)("$name", ({ sql, dialect, expected }) => {
    const graph = lineageOfSql({ "m.sql": sql }, dialect);
    const table = tableOf(graph, "m");
    expect(table.confidence).toBe("column");
    expect(columnSummary(table)).toEqual(expected);
  });
});
