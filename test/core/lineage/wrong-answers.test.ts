/** Wrong answers found on public corpora (docs/lineage-coverage.md), each reproduced by hand-written SQL. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import type { Dialect } from "../../../src/core/config/schema.js";
import { buildLineage, lineageOf } from "../../../src/core/lineage/build-lineage.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

describe("double-quoted names are identifiers where the dialect says so", () => {
  const identifierDialects: Dialect[] = ["postgres", "snowflake", "redshift", "duckdb", "trino"];

  it.each(identifierDialects)("traces unqualified quoted columns to the table in %s", (dialect) => {
    const graph = lineageOfSql(
      {
        "users.sql": `select "Id" as id, "email", "Created_At"::date as created_on
from staging.users
where "Deleted" = false`,
      },
      dialect,
    );
    const table = tableOf(graph, "users");
    expect(columnSummary(table)).toEqual([
      "id: passthrough <- staging.users.id",
      "email: passthrough <- staging.users.email",
      "created_on: expression <- staging.users.created_at",
    ]);
    expect(table.rowSources.map((r) => `${r.role} ${r.table}.${r.column}`)).toEqual([
      "filter staging.users.deleted",
    ]);
  });

  it("keeps a double-quoted token a string constant in MySQL", () => {
    const graph = lineageOfSql({ "labels.sql": `select "paid" as status, id from shop.orders` }, "mysql");
    expect(columnSummary(tableOf(graph, "labels"))).toEqual([
      "status: constant <- ",
      "id: passthrough <- shop.orders.id",
    ]);
  });
});

describe("plain SQL files with a generic base name are named by their folders", () => {
  const config = parseConfig(`dialect: bigquery\nmodels:\n  paths: ["sql/**/*.sql"]\n`);

  it("names each query.sql after project, dataset and table folders, so files stay separate", () => {
    const graph = lineageOf(
      new Map([
        [
          "sql/shared-prod/telemetry_derived/clients_v1/query.sql",
          "SELECT client_id FROM `shared-prod.raw.events`",
        ],
        [
          "sql/shared-prod/telemetry/clients/view.sql",
          "SELECT client_id FROM `shared-prod.telemetry_derived.clients_v1`",
        ],
        ["sql/shared-prod/search/daily_counts.sql", "SELECT engine FROM `shared-prod.raw.searches`"],
      ]),
      config,
    );
    expect(
      graph.tables
        .filter((t) => t.file)
        .map((t) => t.id)
        .sort(),
    ).toEqual(["daily_counts", "shared-prod.telemetry.clients", "shared-prod.telemetry_derived.clients_v1"]);
    expect(columnSummary(tableOf(graph, "shared-prod.telemetry.clients"))).toEqual([
      "client_id: passthrough <- shared-prod.telemetry_derived.clients_v1.client_id",
    ]);
    expect(graph.diagnostics).toEqual([]);
  });

  it("uses the folders that exist when there are fewer than three", () => {
    const graph = lineageOf(new Map([["sql/orders/query.sql", "SELECT id FROM raw.orders"]]), config);
    expect(graph.tables.filter((t) => t.file).map((t) => t.id)).toEqual(["sql.orders"]);
  });

  it("warns naming both files when two still produce the same table", () => {
    const graph = lineageOf(
      new Map([
        ["sql/a/proj/ds/tbl/query.sql", "SELECT id FROM raw.one"],
        ["sql/b/proj/ds/tbl/query.sql", "SELECT id FROM raw.two"],
      ]),
      config,
    );
    const warnings = graph.diagnostics.filter((d) => d.severity === "warning");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain("proj.ds.tbl");
    expect([warnings[0]?.file, warnings[0]?.message].join(" ")).toContain("sql/a/proj/ds/tbl/query.sql");
    expect([warnings[0]?.file, warnings[0]?.message].join(" ")).toContain("sql/b/proj/ds/tbl/query.sql");
  });
});

describe("a dbt model whose body cannot be analysed is kept table-level", () => {
  const config = parseConfig("dialect: snowflake\n");
  const project = (files: Record<string, string>) =>
    buildLineage(
      new Map([["dbt_project.yml", "name: shop\nmodel-paths: ['models']\n"], ...Object.entries(files)]),
      config,
    ).graph;

  it("keeps a model that is one package macro call, reading the refs passed to it", () => {
    const graph = project({
      "models/all_events.sql": `{{ config(materialized='table') }}

{{ codegen.union_everything(relations=[ref('web_events'), ref('App_Events')]) }}`,
    });
    const table = tableOf(graph, "all_events");
    expect(table.confidence).toBe("table-only");
    expect(table.columns).toEqual([]);
    expect([...table.upstream].sort()).toEqual(["app_events", "web_events"]);
    const warning = graph.diagnostics.find(
      (d) => d.file === "models/all_events.sql" && d.message.includes("could not be analysed"),
    );
    expect(warning?.severity).toBe("warning");
    expect(warning?.line).toBe(3);
    expect(warning?.message).toContain("codegen.union_everything");
  });

  it("keeps a model that is a project macro call over a source, with the source upstream", () => {
    const graph = project({
      "models/metric.sql": "{{ metric_model_sql(source('Raw', 'Claims'), 'paid_amount') }}",
    });
    const table = tableOf(graph, "metric");
    expect(table.confidence).toBe("table-only");
    expect(table.upstream).toEqual(["raw.claims"]);
    const warning = graph.diagnostics.find((d) => d.message.includes("could not be analysed"));
    expect(warning?.message).toContain("metric_model_sql");
    expect(warning?.line).toBe(1);
  });

  it("keeps a model whose Jinja branches render no SQL", () => {
    const graph = project({
      "models/gated.sql":
        "{% if var('claims_enabled', false) %}\nselect id from {{ ref('claims') }}\n{% endif %}",
    });
    const table = tableOf(graph, "gated");
    expect(table.confidence).toBe("table-only");
    expect(table.upstream).toEqual([]);
    expect(graph.diagnostics.some((d) => d.file === "models/gated.sql" && d.message.includes("no SQL"))).toBe(
      true,
    );
  });

  it("adds nothing when the model's SELECT is analysed", () => {
    const graph = project({ "models/orders.sql": "select id from {{ ref('stg_orders') }}" });
    expect(tableOf(graph, "orders").confidence).toBe("column");
    expect(graph.diagnostics).toEqual([]);
  });
});

describe("lateral column aliases (Snowflake, Redshift, DuckDB)", () => {
  it("resolves a name that is an earlier alias of the same SELECT to that alias's sources", () => {
    const graph = lineageOfSql(
      {
        "doubled.sql": `select amount * 2 as doubled, doubled + 1 as plus_one, doubled as again
from raw.t
where doubled > 10`,
      },
      "snowflake",
    );
    const table = tableOf(graph, "doubled");
    expect(columnSummary(table)).toEqual([
      "doubled: expression <- raw.t.amount",
      "plus_one: expression <- raw.t.amount",
      "again: expression <- raw.t.amount",
    ]);
    expect(table.rowSources.map((r) => `${r.role} ${r.table}.${r.column}`)).toEqual(["filter raw.t.amount"]);
  });

  it("keeps the FROM column when a CTE is known to have it", () => {
    const graph = lineageOfSql(
      {
        "shadow.sql": `with base as (select id, amount, fee from raw.t)
select amount * 2 as fee, fee + 1 as fee_plus_one from base`,
      },
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "shadow"))).toEqual([
      "fee: expression <- raw.t.amount",
      "fee_plus_one: expression <- raw.t.fee",
    ]);
  });

  it("keeps the FROM column when the alias's own expression reads a column of that name", () => {
    const graph = lineageOfSql(
      { "coalesced.sql": "select coalesce(amount, 0) as amount, amount * 2 as doubled from raw.t" },
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "coalesced"))).toEqual([
      "amount: expression <- raw.t.amount",
      "doubled: expression <- raw.t.amount",
    ]);
  });

  it("does not apply in Postgres, where a select alias is not visible to later items", () => {
    const graph = lineageOfSql({
      "pg.sql": "select amount * 2 as doubled, doubled + 1 as plus_one from raw.t",
    });
    expect(columnSummary(tableOf(graph, "pg"))).toEqual([
      "doubled: expression <- raw.t.amount",
      "plus_one: expression <- raw.t.doubled",
    ]);
  });
});

describe("BigQuery CAST to type names the grammar lacks", () => {
  it("parses CAST / SAFE_CAST to BOOLEAN, BYTES and BIGNUMERIC with the operand as source", () => {
    const graph = lineageOfSql(
      {
        "typed.sql": `SELECT
  SAFE_CAST(is_paid AS BOOLEAN) AS paid,
  CAST(payload AS BYTES) AS raw_payload,
  CAST(amount AS BIGNUMERIC) AS exact_amount,
  (SELECT 1 AS bytes) AS one
FROM \`proj.billing.invoices\``,
      },
      "bigquery",
    );
    const table = tableOf(graph, "typed");
    expect(table.confidence).toBe("column");
    expect(columnSummary(table)).toEqual([
      "paid: expression <- proj.billing.invoices.is_paid",
      "raw_payload: expression <- proj.billing.invoices.payload",
      "exact_amount: expression <- proj.billing.invoices.amount",
      "one: expression <- ",
    ]);
    expect(table.columns.map((c) => c.expression)).toEqual([
      "SAFE_CAST(is_paid AS BOOLEAN)",
      "CAST(payload AS BYTES)",
      "CAST(amount AS BIGNUMERIC)",
      "(SELECT 1 AS bytes)",
    ]);
  });
});

describe("an unknown macro that stands for select-list columns (found on tuva and mattermost)", () => {
  const config = parseConfig("dialect: snowflake\n");
  const project = (files: Record<string, string>) =>
    buildLineage(
      new Map([["dbt_project.yml", "name: shop\nmodel-paths: ['models']\n"], ...Object.entries(files)]),
      config,
    ).graph;

  it("makes `{{ dbt_utils.pivot(...) }}` with no alias one `*` of unknown names, not one named column", () => {
    const graph = project({
      "models/spend_pivot.sql": `select person_id,
  {{ dbt_utils.pivot(column='category', values=('a','b'), agg='sum', then_value='total_paid', prefix='p_') }}
from {{ ref('spend') }}
group by person_id`,
      "models/prep.sql": "select person_id, p_a from {{ ref('spend_pivot') }}",
    });
    const pivot = tableOf(graph, "spend_pivot");
    expect(columnSummary(pivot)).toEqual([
      "person_id: passthrough <- spend.person_id",
      "*: unknown <- spend.category",
    ]);
    // `agg='sum'` and `prefix='p_'` are options, not columns of `spend`.
    expect(pivot.columns.flatMap((c) => c.sources.map((s) => s.column))).not.toContain("sum");
    expect(
      graph.diagnostics.some(
        (d) => d.file === "models/spend_pivot.sql" && d.message.includes("dbt_utils.pivot"),
      ),
    ).toBe(true);
  });
});

describe("a CTE named like the table its body reads (found on tuva)", () => {
  it("reads the table, not itself: unqualified columns are not traced to the other joined table", () => {
    const graph = lineageOfSql(
      {
        "stage.sql": "select distinct c.claim_id, 1 as loaded from raw.claims c",
        "checks.sql": `with medical_claim as (
  select m.claim_id, max(case when claim_start_date is null then 1 else 0 end) as missing_start
  from medical_claim m
  left join stage d on m.claim_id = d.claim_id
  group by m.claim_id
)
select claim_id, missing_start from medical_claim`,
      },
      "snowflake",
    );
    const checks = tableOf(graph, "checks");
    expect(checks.upstream.sort()).toEqual(["medical_claim", "stage"]);
    // `stage` has no claim_start_date: it comes from medical_claim (the only other table) or nowhere.
    expect(columnSummary(checks)).toEqual([
      "claim_id: passthrough <- medical_claim.claim_id",
      "missing_start: aggregate <- medical_claim.claim_start_date",
    ]);
  });

  it("keeps a recursive CTE reading itself", () => {
    const graph = lineageOfSql({
      "tree.sql": `with recursive tree as (
  select id, parent_id from raw.nodes where parent_id is null
  union all
  select n.id, n.parent_id from raw.nodes n join tree t on n.parent_id = t.id
)
select id from tree`,
    });
    expect(tableOf(graph, "tree").upstream).toEqual(["raw.nodes"]);
  });
});

describe("a WITH clause before a UNION (found on tuva)", () => {
  it("lets every branch read the CTEs, so a CTE named like a table is not read as that table", () => {
    const graph = lineageOfSql(
      {
        "condition.sql": "select encounter_id, code from raw.conditions",
        "primary_dx.sql": `with condition as (select encounter_id, primary_code from raw.encounters)
select a.encounter_id, a.primary_code from condition as a
union all
select a.encounter_id, a.primary_code from condition as a`,
      },
      "snowflake",
    );
    const table = tableOf(graph, "primary_dx");
    expect(table.upstream).toEqual(["raw.encounters"]);
    expect(columnSummary(table)).toEqual([
      "encounter_id: passthrough <- raw.encounters.encounter_id",
      "primary_code: passthrough <- raw.encounters.primary_code",
    ]);
  });
});

describe("an UNNEST with no alias read through its struct fields (found on bigquery-etl)", () => {
  it("makes an unqualified field unknown instead of tracing it to the outer query's table", () => {
    const graph = lineageOfSql(
      {
        "ltv.sql": `SELECT
  b.client_id,
  (SELECT LEAST(value, 10000) FROM UNNEST(ad_click_history) WHERE key = @d) AS ad_clicks
FROM \`p.d.history\` b`,
      },
      "bigquery",
    );
    const table = tableOf(graph, "ltv");
    expect(columnSummary(table)).toEqual([
      "client_id: passthrough <- p.d.history.client_id",
      "ad_clicks: expression <- p.d.history.ad_click_history",
    ]);
  });

  it("still reads an aliased UNNEST element by its alias", () => {
    const graph = lineageOfSql(
      { "tags.sql": "SELECT t.id, tag FROM `p.d.items` t, UNNEST(t.tags) AS tag" },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "tags"))).toEqual([
      "id: passthrough <- p.d.items.id",
      "tag: expression <- p.d.items.tags",
    ]);
  });
});

describe("never-invent fixes of 2026-12-07 (each shape found on tuva or bigquery-etl)", () => {
  const dbt = (files: Record<string, string>) =>
    buildLineage(
      new Map([["dbt_project.yml", "name: shop\nmodel-paths: ['models']\n"], ...Object.entries(files)]),
      parseConfig("dialect: snowflake\n"),
    ).graph;

  it("marks a model whose select list a loop over adapter.get_columns_in_relation builds as having unknown columns", () => {
    // tuva benchmarks__predict_member_month_prospective: the loop renders nothing without the warehouse,
    // so the short list was taken as complete and a downstream UNPIVOT's sources were called invented.
    const graph = dbt({
      "models/monthly.sql": "select person_id, actual_paid, actual_visits from raw.monthly",
      "models/prospective.sql": `{%- set cols = adapter.get_columns_in_relation(ref('monthly')) -%}
{%- set actual = [] -%}
{%- for c in cols -%}{%- if c.name.startswith('actual_') -%}{%- do actual.append(c.name) -%}{%- endif -%}{%- endfor -%}
select person_id
{% for c in actual %}, {{ c }}{% endfor %}
from {{ ref('monthly') }}`,
      "models/downstream.sql": "select * from {{ ref('prospective') }}",
    });
    expect(columnSummary(tableOf(graph, "prospective"))).toEqual([
      "person_id: passthrough <- monthly.person_id",
      "*: unknown <- ",
    ]);
    expect(columnSummary(tableOf(graph, "downstream"))).toEqual(["*: unknown <- "]);
    expect(graph.diagnostics.map((d) => d.message)).toContainEqual(
      expect.stringMatching(
        /^the loop at line 3 iterates __backflow_macro_adapter_get_columns_in_relation__, whose items Backflow cannot know/,
      ),
    );
  });

  it("keeps a model's column list complete when its loops iterate known lists", () => {
    const graph = dbt({
      "models/wide.sql": `select id
{% for c in ['a', 'b'] %}, {{ c }}{% endfor %}
from raw.wide`,
    });
    expect(columnSummary(tableOf(graph, "wide"))).toEqual([
      "id: passthrough <- raw.wide.id",
      "a: passthrough <- raw.wide.a",
      "b: passthrough <- raw.wide.b",
    ]);
  });

  it("names a struct field path by its last field and reads it from the struct column (bigquery-etl smoot_usage)", () => {
    const graph = lineageOfSql(
      {
        "new_profiles.sql":
          "SELECT submission_date, metrics.day_6.new_profiles, b.m.x AS x FROM `p.d.base` AS b",
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "new_profiles"))).toEqual([
      "submission_date: passthrough <- p.d.base.submission_date",
      "new_profiles: expression <- p.d.base.metrics",
      "x: expression <- p.d.base.m",
    ]);
  });

  it("reads a.b.c as a struct path when a fallback grammar parsed it as schema.table.column", () => {
    // bigquery-etl google_subscriptions_history_v1: WITH RECURSIVE is parsed by the Snowflake grammar, which
    // read `subscription.metadata.purchase_token` as a column `metadata` of a table.
    const graph = lineageOfSql(
      {
        "starts.sql": `WITH RECURSIVE starts AS (
  SELECT subscription.metadata.purchase_token, c.subscription.start_time AS started
  FROM \`p.d.changelog\` AS c
), chain AS (
  SELECT purchase_token, 1 AS n FROM starts
  UNION ALL
  SELECT chain.purchase_token, chain.n + 1 FROM chain WHERE chain.n < 3
)
SELECT purchase_token, started FROM starts`,
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "starts"))).toEqual([
      "purchase_token: expression <- p.d.changelog.subscription",
      "started: expression <- p.d.changelog.subscription",
    ]);
  });

  it("makes a recursive CTE's reference to itself unknown instead of a struct column of another table", () => {
    const graph = lineageOfSql(
      {
        "chain.sql": `WITH RECURSIVE chain AS (
  SELECT token, 1 AS n FROM \`p.d.links\`
  UNION ALL
  SELECT chain.token, chain.n + 1 FROM chain WHERE chain.n < 3
)
SELECT token, n FROM chain`,
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "chain"))).toEqual([
      "token: unknown <- p.d.links.token",
      "n: unknown <- ",
    ]);
  });
});

describe("BigQuery scalar subqueries with several columns or a * (found on bigquery-etl)", () => {
  it("parses SELECT AS STRUCT with several fields as a value, with its sources", () => {
    const graph = lineageOfSql(
      {
        "prefs.sql": `SELECT
  client_id,
  (
    SELECT AS STRUCT
      ARRAY_AGG(IF(key = 'region', value, NULL)) AS region,
      ARRAY_AGG(IF(key = 'suggest', value, NULL)) AS suggest
    FROM UNNEST(environment.user_prefs)
  ) AS prefs
FROM \`p.d.main\``,
      },
      "bigquery",
    );
    expect(graph.diagnostics.filter((d) => d.message.startsWith("could not parse"))).toEqual([]);
    expect(columnSummary(tableOf(graph, "prefs"))).toEqual([
      "client_id: passthrough <- p.d.main.client_id",
      "prefs: expression <- p.d.main.environment",
    ]);
  });

  it("parses a struct rebuilt with * REPLACE inside * REPLACE, and (SELECT AS STRUCT …).*", () => {
    const graph = lineageOfSql(
      {
        "sanitized.sql": `SELECT
  * REPLACE (
    (
      SELECT AS STRUCT
        jsonPayload.* REPLACE (
          (
            SELECT AS STRUCT
              jsonPayload.fields.* REPLACE (SHA256(jsonPayload.fields.user) AS user)
          ) AS fields
        )
    ) AS jsonPayload
  ),
  (
    SELECT AS STRUCT a, b
  ).*
FROM \`p.d.logs\``,
      },
      "bigquery",
    );
    expect(graph.diagnostics.filter((d) => d.message.startsWith("could not parse"))).toEqual([]);
    const summary = columnSummary(tableOf(graph, "sanitized"));
    expect(summary).toContain("jsonpayload: expression <- p.d.logs.jsonpayload");
    expect(summary).toContain("*: unknown <- p.d.logs.a, p.d.logs.b");
  });

  it("makes (SELECT * FROM t) used as a value unknown, not a constant", () => {
    const graph = lineageOfSql(
      {
        "keyed.sql": `SELECT
  udf.pseudonymize(id,   (SELECT * FROM \`p.d.key\`) ) AS hashed
FROM \`p.d.ids\``,
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "keyed"))).toEqual(["hashed: unknown <- p.d.ids.id"]);
  });
});

describe("BigQuery federated and trailing-comma queries (found on bigquery-etl accounts_db_external)", () => {
  it("traces EXTERNAL_QUERY's columns through the federated SELECT to the external table", () => {
    const graph = lineageOfSql(
      {
        "carts.sql": `SELECT
  TO_HEX(id) AS id,
  state,
  SAFE_CAST(isFreeTrial AS BOOL) AS isFreeTrial,
FROM
  EXTERNAL_QUERY(
    "moz-fx-fxa-prod.us.fxa-rds",
    """SELECT
         id,
         state,
         isFreeTrial
       FROM
         fxa.carts
    """
  )`,
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "carts"))).toEqual([
      "id: expression <- fxa.carts.id",
      "state: passthrough <- fxa.carts.state",
      "isfreetrial: expression <- fxa.carts.isfreetrial",
    ]);
    // A pass-through points at the line that reads the external column, inside the federated query.
    expect(tableOf(graph, "carts").columns[1]?.line).toBe(10);
  });

  it("keeps EXTERNAL_QUERY unknown when its query is not one plain string", () => {
    const graph = lineageOfSql(
      { "dyn.sql": "SELECT a FROM EXTERNAL_QUERY('conn', CONCAT('SELECT a FROM ', 't'))" },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "dyn"))).toEqual(["a: unknown <- "]);
  });

  it("reads a trailing comma before FROM (subquery) as the end of the select list, not as one more item", () => {
    const graph = lineageOfSql(
      { "trail.sql": "SELECT TO_HEX(id) AS id, state, FROM (SELECT id, state FROM `p.d.t`)" },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "trail"))).toEqual([
      "id: expression <- p.d.t.id",
      "state: passthrough <- p.d.t.state",
    ]);
  });
});

describe("Snowflake casts to semi-structured types (found on mattermost)", () => {
  it("reads ::variant, ::object and ::array casts, with the cast column as the source", () => {
    const graph = lineageOfSql(
      {
        "licenses.sql":
          "select array_contains('CWS'::variant, sources) as is_cws, parse_json(coalesce(skus, '[]'))::array as skus, attrs::object as attrs from raw.licenses",
      },
      "snowflake",
    );
    expect(columnSummary(tableOf(graph, "licenses"))).toEqual([
      "is_cws: expression <- raw.licenses.sources",
      "skus: expression <- raw.licenses.skus",
      "attrs: expression <- raw.licenses.attrs",
    ]);
  });

  it("reads a trailing comma before FROM in Snowflake (stg_stripe__products)", () => {
    const graph = lineageOfSql({ "products.sql": "select id, name,\n\n    from raw.products" }, "snowflake");
    expect(columnSummary(tableOf(graph, "products"))).toEqual([
      "id: passthrough <- raw.products.id",
      "name: passthrough <- raw.products.name",
    ]);
  });

  it("never reads a :: cast as part of a column name when the statement falls back to another grammar", () => {
    // The BigQuery grammar allows `:` in names: as a fallback it read `a::int` as a column "a::int".
    const graph = lineageOfSql(
      { "casts.sql": "select a::int as v, b::some_custom_type as w from raw.t" },
      "snowflake",
    );
    const names = graph.tables.flatMap((t) => t.columns.flatMap((c) => c.sources.map((s) => s.column)));
    expect(names.filter((n) => n.includes(":"))).toEqual([]);
  });
});

describe("struct fields expanded with s.*", () => {
  it("keeps the fields of a struct column unknown instead of giving the table no columns", () => {
    // bigquery-etl's logical_subscriptions_v1: `SELECT subscription.* FROM history` had zero columns, so a view
    // reading `plan_currency` from it looked like it read a column that does not exist.
    const graph = lineageOfSql(
      {
        "sql/p/d/subs_v1/query.sql": "SELECT subscription.* FROM `p.d.history` WHERE valid_to IS NULL",
        "sql/p/d/subs/view.sql":
          "CREATE OR REPLACE VIEW `p.d.subs` AS SELECT plan_currency FROM `p.d.subs_v1`",
      },
      "bigquery",
    );
    const table = tableOf(graph, "p.d.subs_v1");
    expect(columnSummary(table)).toEqual(["*: unknown <- p.d.history.subscription"]);
    expect(
      graph.diagnostics.some((d) => d.message.includes("subscription.* expands the fields of subscription")),
    ).toBe(true);
    // Downstream, the column is read from a table whose column list is not complete: traced, not invented.
    expect(columnSummary(tableOf(graph, "p.d.subs"))).toEqual([
      "plan_currency: passthrough <- p.d.subs_v1.plan_currency",
    ]);
  });
});

describe("four quotes are a string holding one quote outside BigQuery", () => {
  it.each(["snowflake", "postgres"] as const)("parses replace(x, '''', '') in %s", (dialect) => {
    // tuva's benchmarks pivots: `''''` was read as the start of a BigQuery triple-quoted string, which swallowed
    // the SQL up to the next three quotes, and the statement failed to parse.
    const graph = lineageOfSql(
      { "m.sql": "select replace(lower(name), '''', '') as cleaned, id from raw.t where kind = 'x'" },
      dialect,
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "cleaned: expression <- raw.t.name",
      "id: passthrough <- raw.t.id",
    ]);
  });

  it("still reads a triple-quoted string in BigQuery", () => {
    const graph = lineageOfSql({ "m.sql": "select '''it's''' as s, id from raw.t" }, "bigquery");
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["s: constant <- ", "id: passthrough <- raw.t.id"]);
  });
});
