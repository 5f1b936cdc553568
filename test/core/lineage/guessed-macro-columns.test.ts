/**
 * An unknown macro renders as a stand-in whose string arguments are read as columns. Those are guesses:
 * when the table's column list is known and complete (a seed's CSV header, a model's SQL) and lacks the
 * name, the guess becomes an unknown source with a warning, never an invented column of the table.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { columnSummary, tableOf } from "./helpers.js";

const config = parseConfig("dialect: postgres\n");

function sourcesOf(graph: ReturnType<typeof buildLineage>["graph"], id: string): string[] {
  return tableOf(graph, id).columns.flatMap((c) => c.sources.map((s) => `${s.table}.${s.column}`));
}

describe("columns guessed from an unknown macro's string arguments", () => {
  it("drops a guessed column a seed's header lacks, keeps one it has, and says why", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["seeds/t.csv", "a,b\n1,2\n"],
        [
          "models/m.sql",
          "select a, {{ some_pkg.pivot('b', ['red', 'blue']) }} as p from {{ ref('t') }} group by a",
        ],
      ]),
      config,
    );
    const sources = sourcesOf(graph, "m");
    expect(sources).not.toContain("t.red");
    expect(sources).not.toContain("t.blue");
    expect(sources).toContain("t.b");
    const messages = graph.diagnostics.map((d) => d.message);
    expect(messages.some((m) => m.startsWith("red, an argument of an unknown macro"))).toBe(true);
    expect(messages.some((m) => m.startsWith("blue, an argument of an unknown macro"))).toBe(true);
  });

  it("makes the value unknown when every guessed column is missing (through a CTE over the seed)", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["seeds/t.csv", "a,b\n"],
        [
          "models/m.sql",
          "with d as (select * from {{ ref('t') }})\nselect {{ some_pkg.f('red', 'blue') }} as x, a from d",
        ],
      ]),
      config,
    );
    expect(columnSummary(tableOf(graph, "m"))).toEqual(["x: unknown <- ", "a: passthrough <- t.a"]);
    const source = graph.tables.find((t) => t.id === "t");
    expect(source?.columns.map((c) => c.name)).toEqual(["a", "b"]);
  });

  it("keeps a guessed column as a source when the table's columns are not known", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["models/m.sql", "select {{ some_pkg.f('red') }} as x from {{ source('raw', 'u') }}"],
        ["models/sources.yml", "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: u\n"],
      ]),
      config,
    );
    expect(sourcesOf(graph, "m")).toEqual(["raw.u.red"]);
  });

  it("keeps a guessed column a YAML list lacks: a YAML list may name only some columns", () => {
    const { graph } = buildLineage(
      new Map([
        ["dbt_project.yml", "name: shop\n"],
        ["models/m.sql", "select {{ some_pkg.f('red') }} as x from {{ source('raw', 'u') }}"],
        [
          "models/sources.yml",
          "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: u\n        columns:\n          - name: a\n",
        ],
      ]),
      config,
    );
    expect(sourcesOf(graph, "m")).toEqual(["raw.u.red"]);
  });
});
