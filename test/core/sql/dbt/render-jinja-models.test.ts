import nodeSqlParser from "node-sql-parser";
import { describe, expect, it } from "vitest";
import { renderJinja } from "../../../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "./dbt-context.js";

const parser = new nodeSqlParser.Parser();
const parses = (sql: string): boolean => {
  parser.astify(sql, { database: "postgresql" });
  return true;
};

const STG_ORDERS = `with source as (

    select * from {{ source('jaffle_shop', 'orders') }}

),

renamed as (

    select
        id as order_id,
        user_id as customer_id,
        order_date,
        status

    from source

)

select * from renamed
`;

const ORDERS = `{{
  config(
    materialized = 'incremental',
    unique_key = 'order_id'
  )
}}

{% set payment_methods = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] %}

with orders as (
    select * from {{ ref('stg_orders') }}
    {% if is_incremental() %}
    where order_date > (select max(order_date) from {{ this }})
    {% endif %}
),

payments as (
    select * from {{ ref('stg_payments') }}
),

order_payments as (
    select
        order_id,
        {% for payment_method in payment_methods -%}
        sum(case when payment_method = '{{ payment_method }}' then amount else 0 end) as {{ payment_method }}_amount,
        {% endfor -%}
        sum(amount) as total_amount
    from payments
    group by order_id
)

select
    {{ dbt_utils.generate_surrogate_key(['orders.order_id', 'orders.customer_id']) }} as order_key,
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    {% for payment_method in payment_methods -%}
    order_payments.{{ payment_method }}_amount,
    {% endfor -%}
    order_payments.total_amount as amount
from orders
left join order_payments on orders.order_id = order_payments.order_id
`;

describe("renderJinja on jaffle-shop style models", () => {
  it("renders a staging model on a source into parseable SQL", () => {
    const result = renderJinja(STG_ORDERS, dbtContext());
    expect(result.sql).toContain("select * from jaffle_shop.orders");
    expect(result.sources).toEqual([{ sourceName: "jaffle_shop", tableName: "orders", line: 3 }]);
    expect(result.lineMap).toEqual(STG_ORDERS.split("\n").map((_, i) => i + 1));
    expect(result.diagnostics).toEqual([]);
    expect(parses(result.sql)).toBe(true);
  });

  it.each([true, false])(
    "renders the orders mart with is_incremental() = %s into parseable SQL",
    (isIncremental) => {
      const result = renderJinja(ORDERS, dbtContext({ isIncremental }));
      expect(result.diagnostics).toEqual([]);
      expect(result.config).toEqual({ materialized: "incremental", unique_key: "order_id" });
      expect(result.refs).toEqual([
        { name: "stg_orders", line: 11 },
        { name: "stg_payments", line: 18 },
      ]);
      expect(result.sql.includes("select max(order_date) from this_model")).toBe(isIncremental);
      for (const method of ["credit_card", "coupon", "bank_transfer", "gift_card"]) {
        expect(result.sql).toContain(
          `when payment_method = '${method}' then amount else 0 end) as ${method}_amount,`,
        );
        expect(result.sql).toContain(`order_payments.${method}_amount,`);
      }
      expect(result.sql).toContain(
        "md5(cast(orders.order_id as varchar) || '-' || cast(orders.customer_id as varchar)) as order_key",
      );
      expect(parses(result.sql)).toBe(true);
    },
  );

  it("keeps each generated pivot column on the loop body's line and later lines on theirs", () => {
    const result = renderJinja(ORDERS, dbtContext());
    const lineOf = (needle: string): number[] =>
      result.sql.split("\n").flatMap((text, i) => (text.includes(needle) ? [result.lineMap[i] ?? -1] : []));
    expect(lineOf("then amount else 0 end)")).toEqual([25, 25, 25, 25]);
    expect(lineOf("sum(amount) as total_amount")).toEqual([27]);
    expect(lineOf("as order_key")).toEqual([33]);
    expect(lineOf("order_payments.gift_card_amount")).toEqual([38]);
    expect(lineOf("left join order_payments")).toEqual([42]);
  });
});

describe("renderJinja degrades unknown macros", () => {
  it("renders an unknown macro as a placeholder and warns with its name and line", () => {
    const result = renderJinja("select\n  {{ cents_to_dollars('amount') }} as amount\nfrom t", dbtContext());
    expect(result.sql).toBe("select\n  __backflow_macro_cents_to_dollars__(amount) as amount\nfrom t");
    expect(result.diagnostics).toEqual([
      {
        line: 2,
        severity: "warning",
        message: expect.stringContaining('unknown macro "cents_to_dollars" at line 2'),
      },
    ]);
    expect(parses(result.sql)).toBe(true);
  });

  it.each([
    [
      "a package macro",
      "{{ my_pkg.normalize('a', 'b') }}",
      "__backflow_macro_my_pkg_normalize__(a, b)",
      "my_pkg.normalize",
    ],
    ["arguments that are not columns", "{{ fmt('a + b', 3) }}", "__backflow_macro_fmt__", "fmt"],
    ["no arguments", "{{ now_utc() }}", "__backflow_macro_now_utc__", "now_utc"],
    [
      "date parts left out",
      "{{ dbt_date.trunc('day', 'created_at') }}",
      "__backflow_macro_dbt_date_trunc__(created_at)",
      "dbt_date.trunc",
    ],
    [
      "an unknown adapter call",
      "{{ adapter.get_columns_in_relation(ref('x')) }}",
      "__backflow_macro_adapter_get_columns_in_relation__",
      "adapter.get_columns_in_relation",
    ],
    [
      "a dispatched project macro",
      "{{ adapter.dispatch('clean')('col') }}",
      "__backflow_macro_clean__(col)",
      "clean",
    ],
  ])("degrades %s", (_name, template, expected, macro) => {
    const result = renderJinja(template, dbtContext());
    expect(result.sql).toBe(expected);
    expect(result.diagnostics.map((d) => d.severity)).toEqual(["warning"]);
    expect(result.diagnostics[0]?.message).toContain(`"${macro}"`);
  });

  it("renders a project macro passed in macroSources instead of degrading it", () => {
    const macros = [
      "{% macro cents_to_dollars(column, scale=2) %}\n  ({{ column }} / 100)::numeric(16, {{ scale }})\n{% endmacro %}",
    ];
    const result = renderJinja(
      "select {{ cents_to_dollars('amount') }} as amount",
      dbtContext({ macroSources: macros }),
    );
    expect(result.sql).toBe("select \n  (amount / 100)::numeric(16, 2)\n as amount");
    expect(result.lineMap).toEqual([1, 1, 1]);
    expect(result.diagnostics).toEqual([]);
  });

  it("iterates the result of an unknown macro as empty, and says what the loop leaves out", () => {
    const result = renderJinja(
      "{% for c in dbt_utils.get_column_values(ref('t'), 'c') %}{{ c }}{% endfor %}x",
      dbtContext(),
    );
    expect(result.sql).toBe("x");
    expect(result.unknownLoops).toBe(1);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/^unknown macro "dbt_utils.get_column_values"/),
      expect.stringMatching(
        /^the loop at line 1 iterates __backflow_macro_dbt_utils_get_column_values__, whose items/,
      ),
    ]);
  });

  it("counts no unknown loop for a loop over a known list, even an empty one", () => {
    const result = renderJinja(
      "{% for c in [] %}{{ c }}{% endfor %}{% for c in ['a'] %}{{ c }}{% endfor %}",
      dbtContext(),
    );
    expect(result.sql).toBe("a");
    expect(result.unknownLoops).toBeUndefined();
  });

  it("warns once per line for an unknown macro inside a loop", () => {
    const result = renderJinja("{% for i in range(5) %}{{ m(i) }}{% endfor %}", dbtContext());
    expect(result.diagnostics).toHaveLength(1);
  });

  it("warns about unknown filters and tags but keeps rendering", () => {
    const result = renderJinja("{{ 'a' | shout }}{% materialization x %}b", dbtContext());
    expect(result.sql).toBe("ab");
    expect(result.diagnostics.map((d) => d.severity)).toEqual(["warning", "warning"]);
  });

  it("renders the body of an unknown block tag that has an end tag", () => {
    const result = renderJinja("{% snapshot s %}select 1{% endsnapshot %}", dbtContext());
    expect(result.sql).toBe("select 1");
    expect(result.diagnostics[0]?.message).toContain("snapshot");
  });
});

describe("renderJinja reports template errors", () => {
  it.each([
    ["an unclosed expression", "select a,\n  {{ ref('x'\nfrom t", 2, "select a,\n  \nfrom t"],
    ["an unclosed if block", "select 1\n{% if true %}\nfrom t", 2, "select 1\n\nfrom t"],
    ["a bad expression", "select {{ 1 + }} as a\nfrom t", 1, "select  as a\nfrom t"],
    ["a stray endif", "select 1\n{% endif %}\nfrom t", 2, "select 1\n\nfrom t"],
    ["an unterminated comment", "select 1\n{# oops\nfrom t", 2, "select 1\n\nfrom t"],
    ["a bad for header", "{% for in x %}a{% endfor %}b", 1, "b"],
  ])("reports %s once, with its line, and renders the rest", (_name, template, line, expected) => {
    const result = renderJinja(template, dbtContext());
    expect(result.sql).toBe(expected);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([
      { line, severity: "error", message: expect.any(String) },
    ]);
    expect(result.lineMap).toHaveLength(result.sql.split("\n").length);
  });

  it("stops a macro that recurses forever with an error", () => {
    const result = renderJinja("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", dbtContext());
    expect(result.diagnostics.some((d) => d.severity === "error" && d.message.includes('macro "f"'))).toBe(
      true,
    );
  });

  it("warns instead of failing on a runtime type error", () => {
    const result = renderJinja("a{{ 1 / 0 }}b{{ 'x' < 1 }}c", dbtContext());
    expect(result.sql).toBe("abc");
    expect(result.diagnostics.map((d) => d.severity)).toEqual(["warning", "warning"]);
  });
});
