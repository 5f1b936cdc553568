import { describe, expect, it } from "vitest";
import type { Dialect } from "../../../src/core/config/schema.js";
import { lineageOf } from "../../../src/core/lineage/build-lineage.js";
import { proposeCleansing } from "../../../src/core/proposals/propose-cleansing.js";
import { configFor, exampleRepo, finding } from "./fixtures.js";

const DBT_PROJECT = "name: shop\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n";

function propose(input: {
  dialect: Dialect;
  files: Readonly<Record<string, string | undefined>>;
  tableId: string;
  column?: string;
  metric: string;
  kind: "completeness" | "consistency" | "freshness" | "volume";
}) {
  const files = new Map(Object.entries(input.files).filter((e): e is [string, string] => e[1] !== undefined));
  const config = configFor({ dialect: input.dialect, models: { paths: ["models/**/*.sql"] } });
  return proposeCleansing({
    finding: finding({
      tableId: input.tableId,
      column: input.column,
      metric: input.metric,
      kind: input.kind,
    }),
    files,
    config,
  });
}

const POSTGRES_MODEL = `-- Orders in dollars.
create table analytics.orders_clean as
select
    id as order_id,
    customer_id,
    amount_cents / 100.0 as amount
from raw.orders;
`;

const SNOWFLAKE_MODEL = `select
    o.order_id,
    o.customer_id,
    o.updated_at
from raw.orders o
join raw.customers c on c.id = o.customer_id
`;

const BIGQUERY_MODEL = `with orders as (
    select * from \`shop.raw_orders\`
)

select
    order_id,
    customer_id,
    total as amount
from orders
`;

const DBT_MODEL = `{{ config(materialized='incremental', unique_key='order_id') }}

select
    order_id,
    lower(status) as status,
    updated_at
from {{ source('raw', 'orders') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
`;

describe("proposeCleansing", () => {
  it.each([
    {
      name: "coalesces a numeric measure in place (postgres)",
      dialect: "postgres" as const,
      files: { "models/orders_clean.sql": POSTGRES_MODEL },
      tableId: "analytics.orders_clean",
      column: "amount",
      metric: "nullValues",
      kind: "completeness" as const,
      after: POSTGRES_MODEL.replace(
        "    amount_cents / 100.0 as amount",
        "    -- Backflow proposal — review before merging: nulls in amount become 0 (a missing measure counts as zero)\n    coalesce(amount_cents / 100.0, 0) as amount",
      ),
    },
    {
      name: "deduplicates with QUALIFY (snowflake)",
      dialect: "snowflake" as const,
      files: { "models/orders.sql": SNOWFLAKE_MODEL },
      tableId: "orders",
      column: "order_id",
      metric: "duplicateValues",
      kind: "consistency" as const,
      after:
        "with backflow_undeduplicated as (\n\n" +
        SNOWFLAKE_MODEL.trimEnd() +
        "\n\n)\n\n-- Backflow proposal — review before merging: one row per order_id, the newest by updated_at\nselect * from backflow_undeduplicated\nqualify row_number() over (partition by order_id order by updated_at desc) = 1\n",
    },
    {
      name: "quarantines null keys with a filter after the CTEs (bigquery)",
      dialect: "bigquery" as const,
      files: { "models/orders.sql": BIGQUERY_MODEL },
      tableId: "orders",
      column: "customer_id",
      metric: "completeness",
      kind: "completeness" as const,
      after:
        BIGQUERY_MODEL.replace(")\n\nselect", "),\n\nbackflow_unfiltered as (\n\nselect").trimEnd() +
        "\n\n)\n\n-- Backflow proposal — review before merging: drops rows where customer_id is null (customer_id is a key: a default would invent an identity)\nselect * from backflow_unfiltered\nwhere customer_id is not null\n",
    },
    {
      name: "deduplicates a dbt model with a ranked CTE, keeping its Jinja (postgres)",
      dialect: "postgres" as const,
      files: { "dbt_project.yml": DBT_PROJECT, "models/orders.sql": DBT_MODEL },
      tableId: "orders",
      column: "order_id",
      metric: "duplicateValues",
      kind: "consistency" as const,
      after:
        DBT_MODEL.replace("\nselect\n", "\nwith backflow_undeduplicated as (\n\nselect\n").trimEnd() +
        "\n\n)\n\n, backflow_ranked as (\n    select *, row_number() over (partition by order_id order by updated_at desc) as backflow_row_number\n    from backflow_undeduplicated\n)\n\n" +
        "-- Backflow proposal — review before merging: one row per order_id, the newest by updated_at\nselect\n    order_id,\n    status,\n    updated_at\nfrom backflow_ranked\nwhere backflow_row_number = 1\n",
    },
  ])("$name", (c) => {
    const proposal = propose(c);
    expect(proposal.rationale).not.toMatch(/no edit/);
    expect(proposal.edits).toHaveLength(1);
    expect(proposal.edits[0]?.after).toBe(c.after);
    expect(proposal.expects).toEqual([`${c.metric}(${c.tableId}.${c.column}) <= 0.01 within 3d`]);
  });

  it("keeps the lineage of the edited dbt model readable and Jinja intact", () => {
    const proposal = propose({
      dialect: "postgres",
      files: { "dbt_project.yml": DBT_PROJECT, "models/orders.sql": DBT_MODEL },
      tableId: "orders",
      column: "status",
      metric: "nullValues",
      kind: "completeness",
    });
    const after = proposal.edits[0]?.after ?? "";
    expect(after).toContain("coalesce(lower(status), 'unknown') as status");
    expect(after).toContain("{% if is_incremental() %}");
    const graph = lineageOf(
      new Map([
        ["dbt_project.yml", DBT_PROJECT],
        ["models/orders.sql", after],
      ]),
      configFor(),
    );
    expect(graph.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("refuses to edit a column a Jinja loop generates, and says why", () => {
    const model =
      "select\n    order_id,\n    {% for m in ['card', 'cash'] %}\n    sum(case when method = '{{ m }}' then amount end) as {{ m }}_amount,\n    {% endfor %}\n    count(*) as payments\nfrom {{ source('raw', 'payments') }}\ngroup by order_id\n";
    const proposal = propose({
      dialect: "postgres",
      files: { "dbt_project.yml": DBT_PROJECT, "models/pay.sql": model },
      tableId: "pay",
      column: "card_amount",
      metric: "nullValues",
      kind: "completeness",
    });
    expect(proposal.edits).toEqual([]);
    expect(proposal.rationale).toMatch(/card_amount.*Jinja/);
  });

  it("falls back to the next suspect when the nearest one is generated by Jinja", () => {
    // int_order_payments builds `{{ payment_method }}_amount` in a {% for %} loop; stg_payments computes amount.
    const proposal = proposeCleansing({
      finding: finding({ tableId: "int_order_payments", column: "credit_card_amount" }),
      ...exampleRepo(),
    });
    expect(proposal.edits.map((e) => e.path)).toEqual(["models/staging/stg_payments.sql"]);
    expect(proposal.rationale).toMatch(/stg_payments\.amount computes the column \(1 hop\(s\) upstream/);
  });

  it("proposes no SQL for freshness or volume findings", () => {
    const files = { "models/orders.sql": SNOWFLAKE_MODEL };
    expect(
      propose({ dialect: "snowflake", files, tableId: "orders", metric: "latency", kind: "freshness" })
        .rationale,
    ).toMatch(/freshness SLA/);
    expect(
      propose({ dialect: "snowflake", files, tableId: "orders", metric: "rowCount", kind: "volume" }).edits,
    ).toEqual([]);
  });

  it("guards a text column with the contract's accepted values, in the upstream model that computes it", () => {
    const repo = exampleRepo();
    const proposal = proposeCleansing({
      finding: finding({
        tableId: "fct_orders",
        column: "status",
        metric: "invalidValues",
        kind: "consistency",
      }),
      ...repo,
    });
    expect(proposal.edits.map((e) => e.path)).toEqual(["models/staging/stg_orders.sql"]);
    expect(proposal.edits[0]?.after).toContain(
      "case when (lower(status)) in ('placed', 'shipped', 'completed', 'return_pending', 'returned') then lower(status) else null end as status,",
    );
  });
});

describe("proposeCleansing over the example repository", () => {
  it("never changes the lineage of any other column, for every computed column", () => {
    const repo = exampleRepo();
    let edited = 0;
    let columns = 0;
    for (const table of repo.graph.tables.filter((t) => t.file)) {
      for (const column of table.columns.filter((c) => c.transform !== "passthrough")) {
        columns++;
        const proposal = proposeCleansing({
          finding: finding({ tableId: table.id, column: column.name }),
          ...repo,
        });
        for (const edit of proposal.edits) {
          edited++;
          const files = new Map(repo.files);
          files.set(edit.path, edit.after);
          const after = lineageOf(files, repo.config);
          for (const t of repo.graph.tables)
            for (const c of t.columns) {
              const key = `${t.id}.${c.name}`;
              const now = after.tables.find((x) => x.id === t.id)?.columns.find((x) => x.name === c.name);
              expect(now, key).toBeDefined();
              // The column the rule rewrites is the one allowed to change; its comment line names it.
              const touched = edit.after
                .split("\n")
                .some((l) => l.includes(`-- Backflow proposal`) && l.includes(` ${c.name} `));
              if (touched && t.file === edit.path) continue;
              expect({ transform: now?.transform, sources: now?.sources }, key).toEqual({
                transform: c.transform,
                sources: c.sources,
              });
            }
        }
      }
    }
    expect(columns).toBeGreaterThan(10);
    expect(edited).toBeGreaterThan(columns / 3);
  });
});
