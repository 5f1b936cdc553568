import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { analyzeFile, hasJinja } from "../../../src/core/lineage/analyze-file.js";
import { analyzeStatements } from "../../../src/core/lineage/analyze-statements.js";
import { analysisKey, buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { plainModelName } from "../../../src/core/lineage/plain-model-name.js";
import { sha1Hex } from "../../../src/core/sql/sha1-hex.js";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

/** A bigquery-etl style query.sql: a first-run branch, a daily branch, a `{% set %}` and a scheduler parameter. */
const DAILY = `{% set min_events = 2 %}
{% if is_init() %}
SELECT
  client_id,
  DATE(submission_timestamp) AS submission_date,
  COUNT(*) AS event_count
FROM
  \`moz-fx-data-shared-prod.app_stable.events_v1\`
WHERE
  DATE(submission_timestamp) >= '2020-01-01'
GROUP BY
  client_id,
  submission_date
HAVING COUNT(*) >= {{ min_events }}
{% else %}
SELECT
  client_id,
  submission_date,
  event_count
FROM
  \`moz-fx-data-shared-prod.app_derived.events_daily_v1\`
WHERE
  submission_date = '{{ ds }}'
{% endif %}
`;

function analyse(text: string, path = "sql/app_derived/daily_v1/query.sql") {
  return analyzeFile({
    path,
    text,
    dialect: "bigquery",
    role: { kind: "plain", modelName: "daily" },
    key: "k",
  });
}

describe("plain SQL files with Jinja (no dbt project)", () => {
  it("traces the columns of the first branch of an unknown condition, and the tables of both", () => {
    const table = tableOf(lineageOfSql({ "daily.sql": DAILY }, "bigquery"), "daily");
    expect(table.confidence).toBe("column");
    expect(table.upstream).toEqual([
      "moz-fx-data-shared-prod.app_stable.events_v1",
      "moz-fx-data-shared-prod.app_derived.events_daily_v1",
    ]);
    expect(columnSummary(table)).toEqual([
      "client_id: passthrough <- moz-fx-data-shared-prod.app_stable.events_v1.client_id",
      "submission_date: expression <- moz-fx-data-shared-prod.app_stable.events_v1.submission_timestamp",
      "event_count: aggregate <- ",
    ]);
  });

  it("counts the tables of a branch taken only when an unknown condition is false, never the file's own", () => {
    const text = `SELECT id, amount FROM \`p.d.orders\`
{% if not is_init() %}
UNION ALL
SELECT id, amount FROM \`p.d.late_orders\`
UNION ALL
SELECT id, amount FROM daily
{% endif %}`;
    const table = analyse(text).tables.find((t) => t.id === "daily");
    expect(table?.upstream).toEqual(["p.d.orders", "p.d.late_orders"]);
    expect(table?.columns.map((c) => c.sources.map((s) => s.table))).toEqual([
      ["p.d.orders"],
      ["p.d.orders"],
    ]);
  });

  it("reports columns at the lines of the user's file, not of the rendered SQL", () => {
    const table = tableOf(lineageOfSql({ "daily.sql": DAILY }, "bigquery"), "daily");
    expect(table.columns.map((c) => [c.name, c.line])).toEqual([
      ["client_id", 4],
      ["submission_date", 5],
      ["event_count", 6],
    ]);
  });

  it("warns about the unknown macro by name and line, and nothing else in a renderable file", () => {
    const analysis = analyse(DAILY);
    const jinja = analysis.diagnostics.filter((d) => d.message.includes("__backflow_macro_"));
    expect(jinja).toEqual([
      {
        file: "sql/app_derived/daily_v1/query.sql",
        line: 2,
        severity: "warning",
        message: 'unknown macro "is_init" at line 2: rendered as the placeholder __backflow_macro_is_init__',
      },
    ]);
  });

  it("renders an undefined parameter as a named placeholder, an unknown column, with a warning at its line", () => {
    const text = "SELECT\n  client_id,\n  {{ metric }} AS value\nFROM `p.d.events`\n";
    const analysis = analyse(text);
    const table = analysis.tables.find((t) => t.id === "daily");
    expect(table?.columns.map((c) => [c.name, c.line, c.transform, c.expression ?? ""])).toEqual([
      ["client_id", 2, "passthrough", ""],
      ["value", 3, "unknown", "__backflow_macro_metric__"],
    ]);
    expect(analysis.diagnostics).toContainEqual({
      file: "sql/app_derived/daily_v1/query.sql",
      line: 3,
      severity: "warning",
      message: 'unknown name "metric" at line 3: rendered as the placeholder __backflow_macro_metric__',
    });
  });

  it("unrolls a loop over a literal list into one UNION ALL branch per item", () => {
    const text = `{% for app in ["fenix", "firefox_ios"] %}
SELECT '{{ app }}' AS app, client_id FROM \`p.{{ app }}.baseline\`
{% if not loop.last %}UNION ALL{% endif %}
{% endfor %}`;
    const table = tableOf(lineageOfSql({ "apps.sql": text }, "bigquery"), "apps");
    expect(table.upstream).toEqual(["p.fenix.baseline", "p.firefox_ios.baseline"]);
    expect(columnSummary(table)).toEqual([
      "app: constant <- ",
      "client_id: passthrough <- p.fenix.baseline.client_id, p.firefox_ios.baseline.client_id",
    ]);
  });

  it("gives var and env_var their defaults and renders is_incremental() as false", () => {
    const text = `SELECT id, {{ var("col", "amount") }} AS amount, '{{ env_var("ENV", "prod") }}' AS env
FROM \`p.d.orders\`
{% if is_incremental() %}JOIN \`p.d.late\` USING (id){% endif %}`;
    const table = analyse(text).tables.find((t) => t.id === "daily");
    expect(table?.upstream).toEqual(["p.d.orders"]);
    expect(table?.columns.map((c) => `${c.name}: ${c.transform} ${c.sources.map((s) => s.column)}`)).toEqual([
      "id: passthrough id",
      "amount: passthrough amount",
      "env: constant ",
    ]);
  });

  it.each([
    ["ref", "SELECT id FROM {{ ref('orders') }}", "__backflow_macro_ref__(orders)"],
    ["source", "SELECT id FROM {{ source('raw', 'orders') }}", "__backflow_macro_source__(raw, orders)"],
    ["config", "{{ config(materialized='table') }}\nSELECT id FROM t", "__backflow_macro_config__"],
    ["dbt_utils", "SELECT {{ dbt_utils.star('t') }} FROM t", "__backflow_macro_dbt_utils.star__"],
  ])("has no dbt global %s: it degrades to a placeholder with a warning", (name, text, placeholder) => {
    const analysis = analyse(text);
    const messages = analysis.diagnostics.map((d) => d.message);
    expect(messages.some((m) => m.includes(`"${name}`) && m.includes(placeholder.replace(".", "_")))).toBe(
      true,
    );
  });

  it("analyses a file without Jinja exactly as the parser alone does", () => {
    const sqlish = fc.constantFrom(
      "SELECT a, b AS c FROM t",
      "select x + 1 as y from s.t where z > 0",
      "WITH q AS (SELECT id FROM u) SELECT id FROM q",
      "SELECT {a} FROM t",
      "SELECT '{' AS brace, b FROM t -- %}",
      "not sql at all (",
    );
    fc.assert(
      fc.property(fc.array(sqlish, { minLength: 1, maxLength: 3 }), (parts) => {
        const text = parts.join(";\n");
        fc.pre(!hasJinja(text));
        const expected = analyzeStatements({
          path: "m.sql",
          sql: text,
          dialect: "bigquery",
          lineOf: (l) => l,
          modelName: "daily",
        });
        expect(analyse(text, "m.sql")).toEqual({
          version: expect.any(Number),
          key: "k",
          path: "m.sql",
          ...expected,
        });
      }),
      { numRuns: 50 },
    );
  });

  it("changes the cache key of a file only when it holds Jinja", () => {
    const config = parseConfig('dialect: bigquery\nmodels:\n  paths: ["sql/**/query.sql"]\n');
    const plain = "SELECT a FROM t\n";
    const files = new Map([
      ["sql/a/query.sql", plain],
      ["sql/b/query.sql", DAILY],
    ]);
    const keys = [...buildLineage(files, config).analyses.keys()];
    const role = (path: string) => ({ kind: "plain" as const, modelName: plainModelName(path) });
    const key = (path: string, text: string, rendered: boolean) =>
      analysisKey({ path, sha: sha1Hex(text), dialect: "bigquery", role: role(path), rendered });
    expect(keys[0]).toBe(key("sql/a/query.sql", plain, false));
    expect(keys[0]).toBe(
      analysisKey({
        path: "sql/a/query.sql",
        sha: sha1Hex(plain),
        dialect: "bigquery",
        role: role("sql/a/query.sql"),
      }),
    );
    expect(keys[1]).toBe(key("sql/b/query.sql", DAILY, true));
    expect(keys[1]).not.toBe(key("sql/b/query.sql", DAILY, false));
  });

  it.each([
    ["{{ x }}", true],
    ["{% if a %}", true],
    ["{# note #}", true],
    ["SELECT STRUCT<a INT64>(1) AS s, '{' AS b, '}}' AS c", false],
    ["SELECT 1 AS x -- { % not a tag", false],
  ])("hasJinja(%j) is %s", (text, expected) => {
    expect(hasJinja(text)).toBe(expected);
  });
});
