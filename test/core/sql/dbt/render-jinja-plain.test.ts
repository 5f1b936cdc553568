import { describe, expect, it } from "vitest";
import { renderJinja } from "../../../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "./dbt-context.js";

const plain = (text: string) => renderJinja(text, dbtContext({ mode: "plain" }));
const dbt = (text: string) => renderJinja(text, dbtContext());

describe("renderJinja in plain mode (a SQL file outside any dbt project)", () => {
  it.each([
    ["var with a default", "{{ var('n', 3) }}", "3"],
    ["env_var with a default", "{{ env_var('E', 'x') }}", "x"],
    ["is_incremental() is false", "{% if is_incremental() %}a{% else %}b{% endif %}", "b"],
    ["Python built-ins", "{% for i in range(2) %}{{ i }}{% endfor %}{{ dict(a=1)['a'] }}", "011"],
    ["a name set in the file", "{% set m = 'gemini' %}{{ m }}", "gemini"],
    ["a loop variable", "{% for a in ['x', 'y'] %}{{ a }}{% endfor %}", "xy"],
    ["an undefined name", "{{ ds }}", "__backflow_macro_ds__"],
    ["an undefined attribute", "{{ params.day }}", "__backflow_macro_params_day__"],
    ["ref", "{{ ref('orders') }}", "__backflow_macro_ref__(orders)"],
    ["source", "{{ source('raw', 'orders') }}", "__backflow_macro_source__(raw, orders)"],
    ["target", "{{ target.schema }}", "__backflow_macro_target_schema__"],
    [
      "an unknown call in a condition keeps its first branch",
      "{% if is_init() %}a{% else %}b{% endif %}",
      "a",
    ],
  ])("renders %s", (_name, text, expected) => {
    expect(plain(text).sql).toBe(expected);
  });

  it.each([
    ["{% if is_init() %}a{% else %}b{% endif %}", "b"],
    ["{% if not is_init() %}a{% else %}b{% endif %}", "a"],
    ["{% if 1 > 0 %}a{% else %}b{% endif %}", "a"],
    ["{% if x %}a{% elif is_init() %}b{% else %}c{% endif %}", "c"],
  ])("takes the other branch of a condition on an unknown macro when asked: %s", (text, expected) => {
    expect(renderJinja(text, dbtContext({ mode: "plain", unknownConditions: "flip" })).sql).toBe(expected);
  });

  it("warns once per unknown name or macro, naming it and its line", () => {
    const rendered = plain("select\n  {{ ds }},\n  {{ ref('t') }}\n");
    expect(rendered.diagnostics).toEqual([
      {
        line: 2,
        severity: "warning",
        message: 'unknown name "ds" at line 2: rendered as the placeholder __backflow_macro_ds__',
      },
      {
        line: 3,
        severity: "warning",
        message: 'unknown macro "ref" at line 3: rendered as the placeholder __backflow_macro_ref__(t)',
      },
    ]);
  });

  it("keeps the map back to the source lines across removed blocks", () => {
    const rendered = plain("{% if is_init() %}\nselect a\n{% else %}\nselect b\n{% endif %}\nfrom t");
    const lines = rendered.sql.split("\n");
    expect(lines[rendered.lineMap.indexOf(2)]).toBe("select a");
    expect(rendered.lineMap[lines.indexOf("from t")]).toBe(6);
  });

  it("leaves dbt mode as it was: ref, target and an undefined name", () => {
    expect(dbt("{{ ref('orders') }} {{ target.schema }} [{{ ds }}]").sql).toBe("orders public []");
  });
});
