import { describe, expect, it } from "vitest";
import { MacroLibrary, macroLibraryOf } from "../../../../src/core/sql/dbt/macro-library.js";
import { renderJinja } from "../../../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "./dbt-context.js";

const library = (files: Record<string, string>): MacroLibrary =>
  new MacroLibrary(Object.entries(files).map(([path, text]) => ({ path, text, sha: `sha-${text.length}` })));

const render = (template: string, files: Record<string, string>, target = "postgres") =>
  renderJinja(
    template,
    dbtContext({ macros: library(files), projectName: "shop", target: { type: target } }),
  );

const CENTS =
  "{% macro cents_to_dollars(column, scale=2) %}({{ column }} / 100)::numeric(16, {{ scale }}){% endmacro %}";

describe("project macros", () => {
  it.each([
    [
      "positional argument, default kept",
      "{{ cents_to_dollars('amount') }}",
      "(amount / 100)::numeric(16, 2)",
    ],
    ["keyword argument", "{{ cents_to_dollars(column='a.x', scale=4) }}", "(a.x / 100)::numeric(16, 4)"],
    ["through the project name", "{{ shop.cents_to_dollars('amount') }}", "(amount / 100)::numeric(16, 2)"],
  ])("renders a macro call with the arguments bound: %s", (_name, template, expected) => {
    const result = render(template, { "macros/cents.sql": CENTS });
    expect(result.sql).toBe(expected);
    expect(result.diagnostics).toEqual([]);
  });

  it("renders a macro that calls a macro of another file, with ifs, fors and sets", () => {
    const result = render("select {{ list_cols(['a', 'b']) }} from t", {
      "macros/a.sql":
        "{% macro list_cols(cols) %}{% for c in cols %}{{ wrap(c) }}{{ ', ' if not loop.last }}{% endfor %}{% endmacro %}",
      "macros/b.sql":
        "{% macro wrap(c) %}{% set up = c | upper %}{% if up == 'A' %}coalesce({{ c }}, 0){% else %}{{ c }}{% endif %}{% endmacro %}",
    });
    expect(result.sql).toBe("select coalesce(a, 0), b from t");
  });

  it.each([
    ["snowflake", "snowflake_version(x)"],
    ["postgres", "default_version(x)"],
    ["redshift", "postgres_version(x)"],
  ])("dispatches to the project's <adapter>__ or default__ macro on %s", (target, expected) => {
    const macros = {
      "macros/clean.sql": [
        "{% macro clean(c) %}{{ return(adapter.dispatch('clean', 'shop')(c)) }}{% endmacro %}",
        "{% macro default__clean(c) %}default_version({{ c }}){% endmacro %}",
        "{% macro snowflake__clean(c) %}snowflake_version({{ c }}){% endmacro %}",
        "{% macro postgres__clean(c) %}{% if target.type == 'redshift' %}postgres_version({{ c }}){% else %}default_version({{ c }}){% endif %}{% endmacro %}",
      ].join("\n"),
    };
    expect(render("{{ clean('x') }}", macros, target).sql).toBe(expected);
  });

  it.each([
    ["a compiler error", "{% macro m(c) %}{{ exceptions.raise_compiler_error('no') }}{{ c }}{% endmacro %}"],
    ["a warehouse query", "{% macro m(c) %}{% set r = run_query('select 1') %}{{ c }}{% endmacro %}"],
    ["an expression that cannot be evaluated", "{% macro m(c) %}{{ c + 1 }}{% endmacro %}"],
    ["endless recursion", "{% macro m(c) %}{{ m(c) }}{% endmacro %}"],
    [
      "runaway output",
      "{% macro m(c) %}{% for i in range(10000) %}{{ 'x' * 200 }}{% endfor %}{% endmacro %}",
    ],
  ])("degrades to the unknown-macro placeholder on %s, with a warning at the call line", (_name, macro) => {
    const result = render("select\n  {{ m('amount') }} as a\nfrom t", { "macros/m.sql": macro });
    expect(result.sql).toBe("select\n  __backflow_macro_m__(amount) as a\nfrom t");
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ line: 2, severity: "warning" });
    expect(result.diagnostics[0]?.message).toMatch(/^macro "m" at line 2 could not be rendered/);
  });

  it("reports an unknown macro called inside a project macro at the model's call line", () => {
    const result = render("select 1\n, {{ m('x') }} as y", {
      "macros/m.sql": "{% macro m(c) %}\n\n{{ other_pkg.thing(c) }}{% endmacro %}",
    });
    expect(result.sql).toBe("select 1\n, \n\n__backflow_macro_other_pkg_thing__(x) as y");
    expect(result.diagnostics.map((d) => [d.line, d.message.split(":")[0]])).toEqual([
      [2, 'unknown macro "other_pkg.thing" at line 3'],
    ]);
    expect(result.diagnostics[0]?.message).toContain('(in macro "m")');
  });

  it("keeps the built-in ref when the project defines a macro named ref", () => {
    const result = render("select * from {{ ref('orders') }}", {
      "macros/ref.sql": "{% macro ref(name) %}{{ builtins.ref(name) }}{% endmacro %}",
    });
    expect(result.sql).toBe("select * from orders");
    expect(result.refs.map((r) => r.name)).toEqual(["orders"]);
  });

  it("lets a macro defined in the model win over the project's macro of the same name", () => {
    const result = render(
      "{% macro cents_to_dollars(c) %}mine({{ c }}){% endmacro %}{{ cents_to_dollars('a') }}",
      {
        "macros/cents.sql": CENTS,
      },
    );
    expect(result.sql).toBe("mine(a)");
  });
});

describe("MacroLibrary.keyFor", () => {
  const files = {
    "macros/cents.sql": CENTS,
    "macros/clean.sql":
      "{% macro clean(c) %}{{ adapter.dispatch('clean')(c) }}{% endmacro %}\n{% macro default__clean(c) %}trim({{ helper(c) }}){% endmacro %}",
    "macros/helper.sql": "{% macro helper(c) %}{{ c }}{% endmacro %}",
  };

  it("is empty for a model that reaches no macro", () => {
    expect(library(files).keyFor("select {{ ref('x') }}")).toBe("");
  });

  it("changes when a macro reached through dispatch and another macro changes, not when an unrelated one does", () => {
    const model = "select {{ clean('a') }} from t";
    const base = library(files).keyFor(model);
    expect(base).not.toBe("");
    expect(
      library({ ...files, "macros/helper.sql": `${files["macros/helper.sql"]} ` }).keyFor(model),
    ).not.toBe(base);
    expect(library({ ...files, "macros/cents.sql": `${CENTS} ` }).keyFor(model)).toBe(base);
  });

  it("changes when a macro the model calls is added or removed", () => {
    const model = "select {{ later('a') }} from t";
    const without = library(files).keyFor(model);
    const added = library({
      ...files,
      "macros/later.sql": "{% macro later(c) %}{{ c }}{% endmacro %}",
    }).keyFor(model);
    expect(without).toBe("");
    expect(added).not.toBe("");
  });
});

describe("macroLibraryOf", () => {
  it("reads .sql files under the macro paths, outside installed packages", () => {
    const repo = new Map([
      ["warehouse/macros/a.sql", "{% macro a() %}1{% endmacro %}"],
      ["warehouse/macros/deep/b.sql", "{% macro b() %}2{% endmacro %}"],
      ["warehouse/dbt_packages/x/macros/c.sql", "{% macro c() %}3{% endmacro %}"],
      ["warehouse/models/d.sql", "{% macro d() %}4{% endmacro %}"],
    ]);
    const found = macroLibraryOf({
      macroPaths: ["warehouse/macros", "warehouse/dbt_packages/x/macros"],
      files: repo,
    });
    expect(found.names().sort()).toEqual(["a", "b"]);
  });
});

describe("api.Column.translate_type", () => {
  it("keeps the type name, so a macro that builds a CAST still parses", () => {
    const result = render("select {{ as_date('d') }} as d from t", {
      "macros/d.sql":
        "{% macro as_date(c) %}{{ return(dbt.cast(c, api.Column.translate_type('date'))) }}{% endmacro %}",
    });
    expect(result.sql).toBe("select cast(d as date) as d from t");
    expect(result.diagnostics).toEqual([]);
  });
});

describe("dbt_utils.group_by", () => {
  it.each([
    ["{{ dbt_utils.group_by(n=3) }}", "group by 1,2,3"],
    ["{{ dbt_utils.group_by(2) }}", "group by 1,2"],
    ["{{ dbt_utils.group_by(0) }}", ""],
  ])("renders %s as %j", (template, expected) => {
    expect(renderJinja(template, dbtContext()).sql).toBe(expected);
  });
});
