import { describe, expect, it } from "vitest";
import { renderJinja } from "../../../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "./dbt-context.js";

const render = (text: string, vars: Record<string, unknown> = {}) => renderJinja(text, dbtContext({ vars }));

describe("renderJinja constructs", () => {
  it.each([
    ["a plain expression", "{{ 'a' }}", "a"],
    [
      "numbers and arithmetic",
      "{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 3 }} {{ 10 / 4 }}",
      "7 3 1 8 2.5",
    ],
    ["booleans and None print like Python", "{{ true }} {{ False }} {{ none }}", "True False None"],
    ["~ concatenates", "{{ 'a' ~ 1 ~ 'b' }}", "a1b"],
    ["comparisons and logic", "{{ 1 < 2 and not (3 == 4) or false }}", "True"],
    ["in / not in", "{{ 'b' in ['a', 'b'] }} {{ 'x' not in 'xyz' }}", "True False"],
    ["if / elif / else", "{% if 1 > 2 %}a{% elif 2 > 1 %}b{% else %}c{% endif %}", "b"],
    ["else branch", "{% if false %}a{% else %}c{% endif %}", "c"],
    [
      "for over a list with loop.last",
      "{% for c in ['a','b','c'] %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}",
      "a, b, c",
    ],
    [
      "loop.index and loop.first",
      "{% for c in ['a','b'] %}{{ loop.index }}{{ loop.first }} {% endfor %}",
      "1True 2False ",
    ],
    ["for over range(n)", "{% for i in range(3) %}{{ i }}{% endfor %}", "012"],
    [
      "for over a tuple with unpacking",
      "{% for k, v in [('a', 1), ('b', 2)] %}{{ k }}={{ v }};{% endfor %}",
      "a=1;b=2;",
    ],
    ["for over dict items", "{% for k, v in {'x': 1}.items() %}{{ k }}{{ v }}{% endfor %}", "x1"],
    ["for with else on empty", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", "empty"],
    ["for with an inline filter", "{% for x in range(5) if x is even %}{{ x }}{% endfor %}", "024"],
    ["inline set", "{% set cols = ['a', 'b'] %}{{ cols | join(', ') }}", "a, b"],
    ["tuple set", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", "12"],
    ["block set", "{% set body %}x + {{ 1 }}{% endset %}[{{ body }}]", "[x + 1]"],
    [
      "namespace attribute set",
      "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}",
      "3",
    ],
    ["comments disappear", "a{# comment #}b", "ab"],
    ["whitespace control on both sides", "a   {%- if true -%}   b   {%- endif -%}   c", "abc"],
    ["whitespace control on expressions", "a\n  {{- 'b' -}}\n  c", "abc"],
    [
      "a macro defined in the file",
      "{% macro cents(col, scale=2) %}({{ col }} / 100)::numeric(16, {{ scale }}){% endmacro %}{{ cents('amount') }}",
      "(amount / 100)::numeric(16, 2)",
    ],
    [
      "a macro called before its definition",
      "{{ twice('x') }}{% macro twice(c) %}{{ c }}{{ c }}{% endmacro %}",
      "xx",
    ],
    [
      "a macro returning a value",
      "{% macro pick() %}{{ return(['a', 'b']) }}{% endmacro %}{{ pick() | length }}",
      "2",
    ],
    [
      "a macro with keyword arguments",
      "{% macro f(a, b='d') %}{{ a }}{{ b }}{% endmacro %}{{ f(b='y', a='x') }}",
      "xy",
    ],
    [
      "call blocks pass caller",
      "{% macro wrap() %}({{ caller() }}){% endmacro %}{% call wrap() %}inner{% endcall %}",
      "(inner)",
    ],
    ["filters lower / upper / trim", "{{ ' Ab ' | trim | lower }}{{ 'c' | upper }}", "abC"],
    ["filter default", "{{ missing | default('fallback') }} {{ 'set' | default('no') }}", "fallback set"],
    ["filter replace and length", "{{ 'a-b-c' | replace('-', '_') }} {{ [1, 2, 3] | length }}", "a_b_c 3"],
    [
      "string methods",
      "{{ ' X '.strip().lower() }} {{ 'a,b'.split(',') | join('|') }} {{ 'ab'.upper().replace('A', 'z') }}",
      "x a|b zB",
    ],
    ["is defined / is none", "{{ x is defined }} {{ none is none }} {{ 1 is not none }}", "False True True"],
    ["conditional expressions", "{{ 'yes' if 1 else 'no' }} {{ 'yes' if 0 else 'no' }}", "yes no"],
    [
      "subscripts and slices",
      "{{ ['a', 'b', 'c'][1] }} {{ ['a', 'b', 'c'][-1] }} {{ 'abcd'[1:3] }}",
      "b c bc",
    ],
    [
      "dicts and attribute access",
      "{% set d = {'k': 'v'} %}{{ d.k }}{{ d['k'] }}{{ d.get('z', 'w') }}",
      "vvw",
    ],
    [
      "do appends to a list",
      "{% set l = [] %}{% do l.append('a') %}{% do l.append('b') %}{{ l | join(',') }}",
      "a,b",
    ],
    ["raw blocks are kept verbatim", "{% raw %}{{ not_rendered }}{% endraw %}", "{{ not_rendered }}"],
    ["lists print as Python lists", "{{ ['a', 1] }}", "['a', 1]"],
    ["Python % formatting", "{{ '%s_%s %d%%' % ('a', 'b', 3) }} {{ 'x_%s' % 'y' }}", "a_b 3% x_y"],
    ["relation methods keep the relation", "{{ ref('orders').include(database=False) }}", "orders"],
  ])("renders %s", (_name, template, expected) => {
    const result = render(template);
    expect(result.sql).toBe(expected);
    expect(result.diagnostics).toEqual([]);
  });
});

describe("renderJinja dbt built-ins", () => {
  it("records ref, source and their lines, and renders them through the context", () => {
    const result = render(
      "select *\nfrom {{ ref('orders') }}\njoin {{ ref('pkg', 'customers') }}\njoin {{ source('raw', 'payments') }}",
    );
    expect(result.sql).toBe("select *\nfrom orders\njoin pkg__customers\njoin raw.payments");
    expect(result.refs).toEqual([
      { name: "orders", line: 2 },
      { name: "customers", pkg: "pkg", line: 3 },
    ]);
    expect(result.sources).toEqual([{ sourceName: "raw", tableName: "payments", line: 4 }]);
  });

  it("merges config(...) kwargs and renders nothing for them", () => {
    const result = render(
      "{{ config(materialized='incremental', unique_key=['id', 'day']) }}{{ config(alias='x') }}select 1",
    );
    expect(result.sql).toBe("select 1");
    expect(result.config).toEqual({ materialized: "incremental", unique_key: ["id", "day"], alias: "x" });
  });

  it("reads config.get after config(...)", () => {
    expect(
      render("{{ config(materialized='view') }}{{ config.get('materialized') }}/{{ config.get('x', 'd') }}")
        .sql,
    ).toBe("view/d");
  });

  it("renders var() from the project vars, then the default, then a placeholder with a warning", () => {
    const result = render("{{ var('start') }} {{ var('other', 'dflt') }} {{ var('missing') }}", {
      start: "2020-01-01",
    });
    expect(result.sql).toBe("2020-01-01 dflt __backflow_macro_var_missing__");
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.severity).toBe("warning");
    expect(result.diagnostics[0]?.message).toContain('var("missing")');
  });

  it("renders is_incremental() as the context says", () => {
    const template = "{% if is_incremental() %}inc{% else %}full{% endif %}";
    expect(renderJinja(template, dbtContext({ isIncremental: true })).sql).toBe("inc");
    expect(renderJinja(template, dbtContext({ isIncremental: false })).sql).toBe("full");
  });

  it("renders this, target and execute", () => {
    const result = render(
      "{{ this }} {{ this.identifier }} {{ target.name }} {{ target.schema }} {{ execute }}",
    );
    expect(result.sql).toBe("this_model this_model dev public False");
  });

  it("uses the target given in the context", () => {
    const result = renderJinja("{{ target.type }}", dbtContext({ target: { type: "snowflake" } }));
    expect(result.sql).toBe("snowflake");
  });

  it("renders env_var with its default, else a placeholder and a warning", () => {
    const result = render("{{ env_var('DB', 'analytics') }} {{ env_var('SECRET') }}");
    expect(result.sql).toBe("analytics __backflow_macro_env_var_SECRET__");
    expect(result.diagnostics.map((d) => d.severity)).toEqual(["warning"]);
  });

  it.each([
    [
      "dbt_utils.generate_surrogate_key",
      "{{ dbt_utils.generate_surrogate_key(['order_id', 'line']) }}",
      "md5(cast(order_id as varchar) || '-' || cast(line as varchar))",
    ],
    [
      "dbt_utils.surrogate_key with varargs",
      "{{ dbt_utils.surrogate_key('a', 'b') }}",
      "md5(cast(a as varchar) || '-' || cast(b as varchar))",
    ],
    ["dbt_utils.star", "{{ dbt_utils.star(ref('orders')) }}", "*"],
    ["dbt_utils.star with an alias", "{{ dbt_utils.star(from=ref('orders'), relation_alias='o') }}", "o.*"],
    ["dbt.date_trunc", "{{ dbt.date_trunc('month', 'ordered_at') }}", "date_trunc('month', ordered_at)"],
    ["bare date_trunc", "{{ date_trunc('day', 'ordered_at') }}", "date_trunc('day', ordered_at)"],
    [
      "dbt.safe_cast with a type macro",
      "{{ dbt.safe_cast('amount', dbt.type_numeric()) }}",
      "cast(amount as numeric)",
    ],
    ["dbt_utils.safe_divide", "{{ dbt_utils.safe_divide('a', 'b') }}", "(a) / nullif((b), 0)"],
    [
      "adapter.dispatch of a cross-database macro",
      "{{ adapter.dispatch('datediff', 'dbt')('a', 'b', 'day') }}",
      "datediff('day', a, b)",
    ],
  ])("renders %s as SQL that keeps its columns", (_name, template, expected) => {
    const result = render(template);
    expect(result.sql).toBe(expected);
    expect(result.diagnostics).toEqual([]);
  });

  it("warns when dbt_utils.star cannot honour except", () => {
    const result = render("{{ dbt_utils.star(from=ref('o'), except=['secret']) }}");
    expect(result.sql).toBe("*");
    expect(result.diagnostics[0]?.message).toContain("except");
  });

  it("skips warehouse-only code because execute is false", () => {
    const result = render("{% if execute %}{% set r = run_query('select 1') %}{{ r }}{% endif %}ok");
    expect(result.sql).toBe("ok");
    expect(result.diagnostics).toEqual([]);
  });
});

describe("dbt's native-type filters (tuva: enabled = var('claims_enabled', false) | as_bool)", () => {
  it("reads as_bool, as_number, as_text and as_native without an unsupported-filter warning", () => {
    const result = render(
      "{{ var('a', false) | as_bool }} {{ 'True' | as_bool }} {{ 'false' | as_bool }} {{ '42' | as_number + 1 }} {{ 7 | as_text }} {{ 'x' | as_native }}",
    );
    expect(result.sql).toBe("False True False 43 7 x");
    expect(result.diagnostics).toEqual([]);
  });
});
