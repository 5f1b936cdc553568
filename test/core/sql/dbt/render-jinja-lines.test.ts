import { describe, expect, it } from "vitest";
import { renderJinja } from "../../../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "./dbt-context.js";

/** Pairs each rendered line with its source line, blank lines left out, for readable exact assertions. */
function mapped(template: string, isIncremental = false): Array<[number, string]> {
  const result = renderJinja(template, dbtContext({ isIncremental }));
  expect(result.lineMap).toHaveLength(result.sql.split("\n").length);
  return result.sql
    .split("\n")
    .map((text, i): [number, string] => [result.lineMap[i] ?? -1, text.trim()])
    .filter(([, text]) => text !== "");
}

describe("renderJinja line map", () => {
  it("maps lines after a config block at the top to their own lines", () => {
    const template = [
      "{{",
      "  config(",
      "    materialized='table',",
      "    unique_key='order_id'",
      "  )",
      "}}",
      "",
      "select order_id,",
      "       amount",
      "from {{ ref('orders') }}",
    ].join("\n");
    expect(mapped(template)).toEqual([
      [8, "select order_id,"],
      [9, "amount"],
      [10, "from orders"],
    ]);
    // The blank first line is the newline that ends the tag's last line.
    expect(renderJinja(template, dbtContext()).lineMap.slice(0, 2)).toEqual([6, 7]);
  });

  const incremental = [
    "select id, updated_at",
    "from {{ ref('events') }}",
    "{% if is_incremental() %}",
    "where updated_at > (",
    "  select max(updated_at) from {{ this }}",
    ")",
    "{% endif %}",
    "order by id",
  ].join("\n");

  it("drops the is_incremental() block and keeps later lines on their source lines", () => {
    expect(mapped(incremental, false)).toEqual([
      [1, "select id, updated_at"],
      [2, "from events"],
      [8, "order by id"],
    ]);
  });

  it("keeps the is_incremental() block on its source lines", () => {
    expect(mapped(incremental, true)).toEqual([
      [1, "select id, updated_at"],
      [2, "from events"],
      [4, "where updated_at > ("],
      [5, "select max(updated_at) from this_model"],
      [6, ")"],
      [8, "order by id"],
    ]);
  });

  it("maps every column a for loop generates to the loop body's line", () => {
    const template = [
      "{% set methods = ['card', 'coupon', 'gift'] %}",
      "select",
      "  order_id,",
      "  {% for m in methods %}",
      "  sum(case when method = '{{ m }}' then amount end) as {{ m }}_amount",
      "  {%- if not loop.last %},{% endif %}",
      "  {% endfor %}",
      "from payments",
    ].join("\n");
    expect(mapped(template)).toEqual([
      [2, "select"],
      [3, "order_id,"],
      [5, "sum(case when method = 'card' then amount end) as card_amount,"],
      [5, "sum(case when method = 'coupon' then amount end) as coupon_amount,"],
      [5, "sum(case when method = 'gift' then amount end) as gift_amount"],
      [8, "from payments"],
    ]);
  });

  it("maps lines joined by whitespace control to the line of their first text", () => {
    const template = [
      "select",
      "  {% for c in ['a', 'b'] -%}",
      "  {{ c }}",
      "  {%- if not loop.last %}, {% endif -%}",
      "  {%- endfor %}",
      "from t",
    ].join("\n");
    const result = renderJinja(template, dbtContext());
    expect(result.sql).toBe("select\n  a, b\nfrom t");
    expect(result.lineMap).toEqual([1, 3, 6]);
  });

  it("skips a multi-line Jinja comment without shifting later lines", () => {
    const template = [
      "{#",
      "  This model joins orders",
      "  and payments.",
      "#}",
      "select *",
      "from {{ ref('orders') }}",
    ].join("\n");
    expect(mapped(template)).toEqual([
      [5, "select *"],
      [6, "from orders"],
    ]);
  });

  it("maps the output of a multi-line tag to the tag's first line", () => {
    const template = [
      "select",
      "  {{ dbt_utils.generate_surrogate_key([",
      "      'a',",
      "      'b'",
      "  ]) }} as id",
      "from t",
    ].join("\n");
    expect(mapped(template)).toEqual([
      [1, "select"],
      [2, "md5(cast(a as varchar) || '-' || cast(b as varchar)) as id"],
      [6, "from t"],
    ]);
  });

  it("maps a multi-line macro result to the line that calls it", () => {
    const template = [
      "{% macro cols() %}",
      "a,",
      "b",
      "{% endmacro %}",
      "select",
      "  {{ cols() }}",
      "from t",
    ].join("\n");
    expect(mapped(template)).toEqual([
      [5, "select"],
      [6, "a,"],
      [6, "b"],
      [7, "from t"],
    ]);
  });

  it("records the line of a ref inside a multi-line tag", () => {
    const result = renderJinja("{{\n  ref(\n 'orders')\n}}", dbtContext());
    expect(result.refs).toEqual([{ name: "orders", line: 2 }]);
  });

  it("maps a trailing newline to the last source line", () => {
    const result = renderJinja("select 1\n", dbtContext());
    expect(result.sql).toBe("select 1\n");
    expect(result.lineMap).toEqual([1, 2]);
  });

  it("maps an empty file to one line", () => {
    expect(renderJinja("", dbtContext())).toMatchObject({ sql: "", lineMap: [1] });
  });
});
