/**
 * Small hand-written cases shaped like the constructs that decided coverage on public corpora
 * (jaffle shops, a healthcare dbt package, a Snowflake product warehouse, BigQuery ETL SQL, dbt-utils
 * integration tests); see docs/lineage-coverage.md. None is copied from those repositories.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import type { LineageGraph } from "../../../src/core/lineage/schema.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

function parseWarnings(graph: LineageGraph, file: string): number[] {
  return graph.diagnostics
    .filter((d) => d.file === file && d.message.includes("table-level only"))
    .map((d) => d.line);
}

describe("constructs that parse after a dialect retry or a rewrite", () => {
  it("keeps column lineage for a BigQuery dedup with QUALIFY", () => {
    const graph = lineageOfSql(
      {
        "latest_accounts.sql": `SELECT account_id, status
FROM \`proj.crm.account_history\`
QUALIFY ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY updated_at DESC) = 1`,
      },
      "bigquery",
    );
    const table = tableOf(graph, "latest_accounts");
    expect(table.confidence).toBe("column");
    expect(columnSummary(table)).toEqual([
      "account_id: passthrough <- proj.crm.account_history.account_id",
      "status: passthrough <- proj.crm.account_history.status",
    ]);
    expect(graph.diagnostics).toEqual([]);
  });

  it("reads GROUP BY ALL in BigQuery as a grouped select", () => {
    const graph = lineageOfSql(
      {
        "daily_installs.sql": `SELECT submission_date, country, COUNT(*) AS installs
FROM \`proj.telemetry.installs\`
GROUP BY ALL`,
      },
      "bigquery",
    );
    const table = tableOf(graph, "daily_installs");
    expect(table.confidence).toBe("column");
    expect(table.columns.map((c) => c.name)).toEqual(["submission_date", "country", "installs"]);
    expect(table.columns[2]?.transform).toBe("aggregate");
    expect(table.columns[0]?.sources).toEqual([
      { table: "proj.telemetry.installs", column: "submission_date" },
    ]);
  });

  it("traces FIRST_VALUE(... IGNORE NULLS) to the value and the window keys", () => {
    const graph = lineageOfSql(
      {
        "first_plan.sql": `select
    account_id,
    first_value(plan ignore nulls) over (partition by account_id order by changed_at) as first_plan
from raw.plan_changes`,
      },
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "first_plan"))).toEqual([
      "account_id: passthrough <- raw.plan_changes.account_id",
      "first_plan: window <- raw.plan_changes.plan, raw.plan_changes.account_id, raw.plan_changes.changed_at",
    ]);
  });

  it("attributes Snowflake variant paths (col:a.b::type) to the variant column", () => {
    const graph = lineageOfSql(
      {
        "server_info.sql": `select
    s.server_id,
    s.properties:license.edition::string as edition
from raw.servers as s`,
      },
      "snowflake",
    );
    const table = tableOf(graph, "server_info");
    expect(columnSummary(table)).toEqual([
      "server_id: passthrough <- raw.servers.server_id",
      "edition: expression <- raw.servers.properties",
    ]);
    expect(table.columns[1]?.line).toBe(3);
  });

  it("follows a BigQuery CROSS JOIN UNNEST alias back to the array column", () => {
    const graph = lineageOfSql(
      {
        "event_keys.sql": `SELECT client_id, e.key AS event_key
FROM \`proj.telemetry.events\`
CROSS JOIN UNNEST(extras) AS e`,
      },
      "bigquery",
    );
    // `client_id` may be a field of the `extras` structs (BigQuery reads them unqualified): with the
    // columns of `events` unknown, its source is unknown, with a warning; `e.key` is read from the array.
    expect(columnSummary(tableOf(graph, "event_keys"))).toEqual([
      "client_id: unknown <- ",
      "event_key: expression <- proj.telemetry.events.extras",
    ]);
    expect(graph.diagnostics.map((d) => d.message)).toContainEqual(
      "column client_id could come from proj.telemetry.events or a field of UNNEST AS e at line 3; qualify it with a table alias",
    );
  });

  it("reads an unqualified column beside an aliased UNNEST from the table once the table is known to have it", () => {
    const graph = lineageOfSql(
      {
        "events.sql": "SELECT client_id, extras FROM `proj.raw.events`",
        "event_keys.sql": `SELECT client_id, metric, e.key AS event_key
FROM events
CROSS JOIN UNNEST(extras) AS e`,
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "event_keys"))).toEqual([
      "client_id: passthrough <- events.client_id",
      "metric: unknown <- ",
      "event_key: expression <- events.extras",
    ]);
    expect(graph.diagnostics.map((d) => d.message)).toContainEqual(
      "column metric is not a column of events: it is read as a field of UNNEST AS e at line 3, whose fields are not known, so its source is unknown",
    );
  });
});

describe("constructs the parser rejects: table-level lineage and a diagnostic on the right line", () => {
  it.each([
    {
      name: "MATCH_RECOGNIZE",
      dialect: "snowflake" as const,
      sql: `select client_id
from raw.t
  match_recognize (partition by client_id order by ts measures first(ts) as s pattern (a b+) define b as b.x > a.x)`,
      upstream: ["raw.t"],
      line: 3,
    },
    {
      name: "CONNECT BY",
      dialect: "snowflake" as const,
      sql: `select
    employee_id,
    sys_connect_by_path(title, ' -> ') as path
from raw.employees
start with title = 'President'
connect by manager_id = prior employee_id`,
      upstream: ["raw.employees"],
      line: 5,
    },
  ])("$name", ({ dialect, sql, upstream, line }) => {
    const graph = lineageOfSql({ "m.sql": sql }, dialect);
    const table = tableOf(graph, "m");
    expect(table.confidence).toBe("table-only");
    expect(table.upstream).toEqual(upstream);
    expect(table.columns).toEqual([]);
    expect(parseWarnings(graph, "models/m.sql")).toEqual([line]);
  });
});

describe("dbt models whose SQL depends on a project macro", () => {
  const project = (model: string) =>
    new Map([
      ["dbt_project.yml", "name: clinic\nmodel-paths: ['models']\n"],
      ["models/claims.sql", "select claim_id, paid_amount from raw.claims"],
      ["models/m.sql", model],
    ]);

  it("keeps the model and its refs when a project macro stands for a whole CTE body", () => {
    const { graph } = buildLineage(
      project(`with spine as (
    {{ make_date_spine('day', '2020-01-01') }}
)

select s.date_day, c.paid_amount
from spine as s
join {{ ref('claims') }} as c on c.claim_id = 1`),
      parseConfig("dialect: snowflake\n"),
    );
    const table = tableOf(graph, "m");
    expect(table.confidence).toBe("table-only");
    expect(table.upstream).toEqual(["claims"]);
    expect(graph.diagnostics).toContainEqual(
      expect.objectContaining({
        file: "models/m.sql",
        line: 2,
        message: expect.stringContaining("make_date_spine"),
      }),
    );
    expect(parseWarnings(graph, "models/m.sql")).toEqual([3]);
  });

  it("keeps the columns an unknown macro wraps, marked unknown, and the rest of the select exact", () => {
    const { graph } = buildLineage(
      project(`select
    claim_id,
    {{ cents_to_dollars('paid_amount') }} as paid_dollars
from {{ ref('claims') }}`),
      parseConfig("dialect: snowflake\n"),
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "claim_id: passthrough <- claims.claim_id",
      "paid_dollars: unknown <- claims.paid_amount",
    ]);
  });
});

describe("dbt_utils.date_spine as a CTE body (mattermost utilities, dbt-utils integration tests)", () => {
  it("renders one date_<datepart> column computed from the bounds, so the model is analysed", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: util\nmodel-paths: ['models']\n"],
        [
          "models/days.sql",
          `with spine as (
  {{ dbt_utils.date_spine(datepart="day", start_date="to_date('02/01/2022', 'mm/dd/yyyy')", end_date="(select max(created_at) from raw.orders)") }}
)
select date_day, date_day + 1 as next_day from spine`,
        ],
      ]),
      parseConfig("dialect: snowflake\n"),
    );
    expect(graph.diagnostics.filter((d) => d.file === "models/days.sql")).toEqual([]);
    expect(columnSummary(tableOf(graph, "days"))).toEqual([
      "date_day: expression <- raw.orders.created_at",
      "next_day: expression <- raw.orders.created_at",
    ]);
  });
});
