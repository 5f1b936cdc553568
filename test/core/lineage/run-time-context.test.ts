/**
 * dbt models whose SQL is built only at run time (`{% if execute %}`, `graph.nodes`, `adapter.get_relation`):
 * rendered as dbt runs them, with what the repository itself knows, and never claiming "no upstream"
 * where the warehouse alone has the answer. Shapes from tuva's data-quality models and
 * `select_extension_columns`, and the usual `run_query` column lists.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { renderJinja } from "../../../src/core/sql/dbt/render-jinja.js";
import { columnSummary, tableOf } from "./helpers.js";

const config = parseConfig("dialect: snowflake\n");

// tuva's shape: find a node in `graph`, ask the adapter for its relation, build SQL only if it exists.
const MACROS = `{% macro find_node(node_name) %}
  {% if not execute %}{{ return(none) }}{% endif %}
  {% for node in graph['nodes'].values() %}
    {% if node.package_name == 'shop' and node.name == node_name and node.resource_type in ['model', 'seed'] %}
      {{ return(node) }}
    {% endif %}
  {% endfor %}
  {{ return(none) }}
{% endmacro %}

{% macro actual_relation(node_name) %}
  {% set node = find_node(node_name) %}
  {% if node is none %}{{ return(none) }}{% endif %}
  {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{% endmacro %}

{% macro metric_sql(node_name) %}
  {% set rel = actual_relation(node_name) %}
  {% if execute and rel is not none %}
    select data_source, count(*) as result from {{ rel }} group by 1
  {% else %}
    select cast(null as varchar) as data_source, cast(null as numeric) as result where 1 = 0
  {% endif %}
{% endmacro %}
`;

const project = (extra: Record<string, string> = {}) =>
  new Map<string, string>([
    ["dbt_project.yml", "name: shop\n"],
    ["macros/dq.sql", MACROS],
    ["models/encounters.sql", "select id, data_source from {{ source('raw', 'encounters') }}"],
    ["models/sources.yml", "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: encounters\n"],
    ["models/dq_encounters.sql", "{{ metric_sql('encounters') }}"],
    ["models/dq_missing.sql", "{{ metric_sql('no_such_model') }}"],
    ...Object.entries(extra),
  ]);

describe("run-time dbt context (execute, graph, adapter.get_relation)", () => {
  it("renders SQL built only when execute is true and the project's relation exists, with its sources", () => {
    const { graph } = buildLineage(project(), config);
    const dq = tableOf(graph, "dq_encounters");
    expect(dq.confidence).toBe("column");
    expect(dq.upstream).toEqual(["encounters"]);
    expect(columnSummary(dq)).toEqual([
      "data_source: passthrough <- encounters.data_source",
      "result: aggregate <- ",
    ]);
  });

  it("takes the template's own 'absent' branch when the graph has no such node", () => {
    const { graph } = buildLineage(project(), config);
    const missing = tableOf(graph, "dq_missing");
    expect(missing.upstream).toEqual([]);
    // The lookup of a node that is not in the graph returns none before any relation is asked for.
    expect(columnSummary(missing).map((c) => c.split(":")[0])).toEqual(["data_source", "result"]);
  });

  it("warns when adapter.get_relation names a table that is not a model, seed or source", () => {
    const files = project({
      "models/direct.sql":
        "{% set rel = adapter.get_relation(database=target.database, schema='raw', identifier='elsewhere') %}\n{% if rel is none %}select 1 as n{% else %}select n from {{ rel }}{% endif %}",
    });
    const { graph } = buildLineage(files, config);
    const messages = graph.diagnostics.filter((d) => d.file === "models/direct.sql").map((d) => d.message);
    expect(messages.some((m) => m.includes("raw.elsewhere is not a model, seed or source"))).toBe(true);
  });

  it("resolves a source by its schema and identifier", () => {
    const files = project({
      "models/from_source.sql":
        "{% set rel = adapter.get_relation(database=target.database, schema='raw', identifier='encounters') %}\n{% if rel is none %}select 1 as n{% else %}select id from {{ rel }}{% endif %}",
    });
    const { graph } = buildLineage(files, config);
    expect(columnSummary(tableOf(graph, "from_source"))).toEqual(["id: passthrough <- raw.encounters.id"]);
  });

  it("load_relation(ref(...)) is the model's relation", () => {
    const files = project({
      "models/loaded.sql":
        "{% set rel = load_relation(ref('encounters')) %}\n{% if rel is none %}select 1 as n{% else %}select id from {{ rel }}{% endif %}",
    });
    const { graph } = buildLineage(files, config);
    expect(columnSummary(tableOf(graph, "loaded"))).toEqual(["id: passthrough <- encounters.id"]);
  });

  it("a column list from run_query under execute is unknown, not an empty list of constants", () => {
    const files = project({
      "models/pivoted.sql": `{% set q %}select distinct status from {{ ref('encounters') }}{% endset %}
{% set results = run_query(q) %}
{% if execute %}{% set statuses = results.columns[0].values() %}{% else %}{% set statuses = [] %}{% endif %}
select id
{% for s in statuses %}, sum(case when status = '{{ s }}' then 1 else 0 end) as n_{{ s }}{% endfor %}
from {{ ref('encounters') }} group by id`,
    });
    const { graph } = buildLineage(files, config);
    const table = tableOf(graph, "pivoted");
    expect(table.upstream).toContain("encounters");
    expect(table.columns.some((c) => c.transform === "unknown")).toBe(true);
    const messages = graph.diagnostics.filter((d) => d.file === "models/pivoted.sql").map((d) => d.message);
    expect(messages.some((m) => m.includes("run_query needs the warehouse"))).toBe(true);
  });

  it("the size of adapter.get_columns_in_relation is unknown, so the model's column list is not complete", () => {
    // tuva's select_extension_columns: `{% if cols | length == 0 %}{{ return('') }}{% endif %}`.
    const files = project({
      "macros/ext.sql": `{% macro extension_columns(relation) %}
{%- set cols = adapter.get_columns_in_relation(relation) -%}
{%- if cols | length == 0 -%}{{ return('') }}{%- endif -%}
{%- for c in cols if c.name.startswith('x_') %}, {{ c.name }}{% endfor -%}
{% endmacro %}`,
      "models/with_ext.sql":
        "select id {{ extension_columns(ref('encounters')) }} from {{ ref('encounters') }}",
    });
    const { graph } = buildLineage(files, config);
    const table = tableOf(graph, "with_ext");
    expect(table.columns.map((c) => c.name)).toContain("id");
    expect(table.columns.some((c) => c.transform === "unknown")).toBe(true);
  });

  it("adapter.get_columns_in_relation of a relation with declared columns yields them, and marks the list incomplete", () => {
    const files = project({
      "models/encounters.yml":
        "version: 2\nmodels:\n  - name: encounters\n    columns:\n      - name: id\n      - name: data_source\n",
      "models/all_columns.sql": `{% set cols = adapter.get_columns_in_relation(ref('encounters')) %}
select {% for c in cols %}{{ c.name }}{% if not loop.last %}, {% endif %}{% endfor %} from {{ ref('encounters') }}`,
    });
    const { graph } = buildLineage(files, config);
    expect(columnSummary(tableOf(graph, "all_columns"))).toEqual([
      "id: passthrough <- encounters.id",
      "data_source: passthrough <- encounters.data_source",
      "*: unknown <- ",
    ]);
    const messages = graph.diagnostics
      .filter((d) => d.file === "models/all_columns.sql")
      .map((d) => d.message);
    expect(messages.some((m) => m.includes("the warehouse may have more"))).toBe(true);
  });

  it("a model that reads the graph is re-analysed when a model is added; one that does not is reused", () => {
    const first = buildLineage(project(), config);
    const second = buildLineage(project({ "models/new_model.sql": "select 1 as one" }), config, {
      cache: first.analyses,
    });
    const keyOf = (built: typeof first, path: string) =>
      [...built.analyses.entries()].find(([, a]) => a.path === path)?.[0];
    expect(keyOf(second, "models/dq_encounters.sql")).not.toBe(keyOf(first, "models/dq_encounters.sql"));
    expect(keyOf(second, "models/encounters.sql")).toBe(keyOf(first, "models/encounters.sql"));
  });
});

describe("Python values in Jinja: none and tuples", () => {
  const render = (text: string) =>
    renderJinja(text, {
      ref: (n) => n,
      source: (s, t) => `${s}.${t}`,
      vars: {},
      isIncremental: false,
      thisRelation: "m",
    }).sql;

  it("var('x', none) has a default of none; {% set x = none %} holds none; a dict key may hold none", () => {
    expect(render("{{ var('x', none) is none }}")).toBe("True");
    expect(render("{% set x = none %}{{ x is none }}|{{ x is defined }}")).toBe("True|True");
    expect(
      render("{% set d = {'a': none} %}{{ d.a is none }}|{{ d['a'] is none }}|{{ d.get('a', 1) is none }}"),
    ).toBe("True|True|True");
  });

  it("prints a tuple with parentheses, so `not in {{ codes }}` is SQL (tuva's chronic-condition NDC lists)", () => {
    expect(render("{% set codes = ('a', 'b') %}code not in {{ codes }}")).toBe("code not in ('a', 'b')");
    expect(render("{{ ('a',) }}|{{ ['a'] }}|{{ list(('a', 'b')) }}")).toBe("('a',)|['a']|['a', 'b']");
  });
});
