import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { columnSummary, lineageOfSql, tableOf } from "./helpers.js";

describe("files the parser cannot read", () => {
  it("gives MERGE table-level lineage and a diagnostic with the line", () => {
    const graph = lineageOfSql({
      "merge.sql": `-- upsert
merge into mart.customers t
using staging.customers s on t.id = s.id
when matched then update set name = s.name
when not matched then insert (id, name) values (s.id, s.name)`,
    });
    const table = tableOf(graph, "mart.customers");
    expect(table.confidence).toBe("table-only");
    expect(table.upstream).toEqual(["staging.customers"]);
    expect(table.columns).toEqual([]);
    expect(graph.diagnostics).toContainEqual(
      expect.objectContaining({
        file: "models/merge.sql",
        line: 2,
        message: expect.stringContaining("table-level only"),
      }),
    );
  });

  it("skips a BigQuery temp function and still reads the query after it", () => {
    const graph = lineageOfSql(
      {
        "udf.sql": `CREATE TEMP FUNCTION cents(x INT64) RETURNS FLOAT64 LANGUAGE js AS """return x / 100;""";
SELECT id, cents(amount) AS dollars FROM \`proj.ds.pay\``,
      },
      "bigquery",
    );
    expect(columnSummary(tableOf(graph, "udf"))).toEqual([
      "id: passthrough <- proj.ds.pay.id",
      "dollars: expression <- proj.ds.pay.amount",
    ]);
  });

  it("falls back to FROM/JOIN tables for a SELECT it cannot parse, ignoring CTE names and EXTRACT(… FROM …)", () => {
    const graph = lineageOfSql({
      "bad.sql": `with recent as (select * from raw.events where extract(year from ts) = 2024)
select id, connect_by_root parent as root from recent join raw.users u on u.id = recent.user_id
start with parent is null connect by prior id = parent`,
    });
    const table = tableOf(graph, "bad");
    expect(table.confidence).toBe("table-only");
    expect(table.upstream.sort()).toEqual(["raw.events", "raw.users"]);
    expect(graph.diagnostics[0]).toMatchObject({ file: "models/bad.sql", severity: "warning" });
  });

  // BigQuery adds the forms rewritten before parsing (CAST to INT, GROUP BY ALL, QUALIFY, fn(x).field,
  // ordered aggregates) and named windows.
  const BIGQUERY_WORDS = [
    "cast(",
    "safe_cast(",
    "as int )",
    "group by all",
    "qualify",
    "window w as (",
    "over w",
    "partition by",
    ").x",
    "array_agg( distinct",
    "order by",
    "limit 1",
  ];
  it.each([
    ["postgres", []],
    ["bigquery", BIGQUERY_WORDS],
  ] as const)(
    "never throws and never lists a table or column absent from the SQL text (%s)",
    (dialect, extra) => {
      const words = fc.constantFrom(
        ...extra,
        "select",
        "from",
        "join",
        "where",
        "a",
        "b",
        "t1",
        "s.t2",
        "(",
        ")",
        ",",
        "*",
        "as",
        "x",
        "=",
        "1",
        "group by",
        "union",
        ";",
        "'q'",
        "with",
        "on",
        "sum(",
        "over",
      );
      fc.assert(
        fc.property(fc.array(words, { maxLength: 25 }), (parts) => {
          const sql = parts.join(" ");
          const graph = lineageOfSql({ "m.sql": sql }, dialect);
          const text = sql.toLowerCase();
          for (const table of graph.tables) {
            if (table.id !== "m") expect(text).toContain(table.id);
            for (const column of table.columns) {
              if (column.name !== "*" && !column.name.startsWith("_col")) expect(text).toContain(column.name);
              for (const s of column.sources) {
                expect(text).toContain(s.table);
                expect(text).toContain(s.column);
              }
            }
          }
        }),
        { numRuns: 300 },
      );
    },
  );
});
