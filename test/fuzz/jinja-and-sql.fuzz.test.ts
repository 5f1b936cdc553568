import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/core/lineage/analyze-file.js";
import { MAX_OUTPUT_CHARS } from "../../src/core/sql/dbt/jinja-renderer.js";
import { renderJinja } from "../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "../core/sql/dbt/dbt-context.js";
import { REPO_ROOT } from "../store/temp-db.js";
import { fuzzParameters, fuzzTimeoutMs } from "./fuzz-options.js";

/** A case that takes longer than this is a runaway, not a slow machine (the budget is ~1 s of work). */
const RUNAWAY_MS = 15_000;

// Template pieces that stress the renderer: big ranges, nesting, recursion, growth, bad syntax.
const jinjaPiece = fc.oneof(
  fc.constantFrom(
    "{% for i in range(100000) %}",
    "{% for j in range(1000000000) %}",
    "{% for k in [1, 2, 3] if k > 1 %}",
    "{% endfor %}",
    "{% if x %}",
    "{% elif y %}",
    "{% else %}",
    "{% endif %}",
    "{% set ns = namespace(s='ab') %}",
    "{% set ns.s = ns.s ~ ns.s %}",
    "{% macro m(n) %}{{ m(n - 1) }}{{ m(n - 1) }}{% endmacro %}",
    "{{ m(25) }}",
    "{{ range(5) | join(',') }}",
    "{{ 'x' * 1000000 }}",
    "{{ [1] * 1000000 }}",
    "{{ ref('orders') }}",
    "{{ source('shop', 'raw') }}",
    "{{ var('day', '2024-01-01') }}",
    "{{ config(materialized='table') }}",
    "{{ unknown_macro('a', b) }}",
    "{{ loop.index }}",
    "{# comment #}",
    "{{",
    "}}",
    "{%",
    "%}",
    "select a, b from t where c = 1\n",
    "\n",
  ),
  fc.string({ maxLength: 15 }),
);
const template = fc.array(jinjaPiece, { maxLength: 25 }).map((pieces) => pieces.join(""));

describe("fuzz: the Jinja renderer", () => {
  it(
    "never throws, stays within its output budget, and ends in bounded time",
    () => {
      fc.assert(
        fc.property(template, (text) => {
          const started = performance.now();
          const rendered = renderJinja(text, dbtContext());
          expect(performance.now() - started).toBeLessThan(RUNAWAY_MS);
          expect(rendered.sql.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
          for (const d of rendered.diagnostics) {
            expect(d.line).toBeGreaterThanOrEqual(0);
            expect(d.message.length).toBeGreaterThan(0);
          }
        }),
        fuzzParameters(40),
      );
    },
    fuzzTimeoutMs(2_000, 40),
  );
});

function exampleModels(): string[] {
  const dir = join(REPO_ROOT, "examples/shop/models");
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((path) => path.endsWith(".sql"))
    .map((path) => readFileSync(join(dir, path), "utf8").replace(/\{\{[^}]*\}\}|\{%[^%]*%\}/g, "src_table"));
}

const SQL_NOISE = [
  "select",
  "from",
  "(",
  ")",
  ",",
  ";",
  "union all",
  "join x on",
  "--",
  "/*",
  "*/",
  "'",
  '"',
  "`",
  "pivot (sum(a) for b in ('x'))",
  "over (partition by",
  "with t as (",
  "insert into y",
  "create table z as",
  "\n",
];

/** An example model with slices deleted, duplicated and noise inserted. */
const mutatedSql = fc
  .record({
    base: fc.constantFrom(...exampleModels()),
    edits: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        length: fc.nat(40),
        kind: fc.constantFrom("delete", "duplicate", "insert"),
        noise: fc.oneof(fc.constantFrom(...SQL_NOISE), fc.string({ maxLength: 8 })),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ base, edits }) =>
    edits.reduce((text, edit) => {
      const at = Math.floor(edit.at * text.length);
      if (edit.kind === "delete") return text.slice(0, at) + text.slice(at + edit.length);
      if (edit.kind === "duplicate")
        return text.slice(0, at) + text.slice(at, at + edit.length) + text.slice(at);
      return `${text.slice(0, at)} ${edit.noise} ${text.slice(at)}`;
    }, base),
  );

describe("fuzz: the SQL front end (parse + lineage of one file)", () => {
  it(
    "never throws on mutated models, reports problems with a line, and invents no table",
    () => {
      fc.assert(
        fc.property(
          mutatedSql,
          fc.constantFrom("postgres", "bigquery", "snowflake") as fc.Arbitrary<"postgres">,
          (sql, dialect) => {
            const started = performance.now();
            const analysis = analyzeFile({
              path: "models/fuzz.sql",
              text: sql,
              dialect,
              role: { kind: "plain", modelName: "fuzz" },
              key: "fuzz",
            });
            expect(performance.now() - started).toBeLessThan(RUNAWAY_MS);
            const words = sql.toLowerCase();
            for (const table of analysis.tables) {
              // A table id is made of names written in the file (or the model's own name).
              if (table.id !== "fuzz")
                for (const part of table.id.split(".")) expect(words).toContain(part.replace(/^"|"$/g, ""));
              for (const upstream of table.upstream)
                for (const part of upstream.split(".")) expect(words).toContain(part.replace(/^"|"$/g, ""));
            }
            for (const d of analysis.diagnostics) {
              expect(d.file).toBe("models/fuzz.sql");
              expect(d.line).toBeGreaterThanOrEqual(1);
            }
          },
        ),
        fuzzParameters(60),
      );
    },
    fuzzTimeoutMs(500, 60),
  );
});
