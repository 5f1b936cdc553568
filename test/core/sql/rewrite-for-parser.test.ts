import { describe, expect, it } from "vitest";
import { fallbackTables } from "../../../src/core/sql/fallback-tables.js";
import { rewriteForParser } from "../../../src/core/sql/rewrite-for-parser.js";
import { splitStatements } from "../../../src/core/sql/split-statements.js";
import { tokenizeSql } from "../../../src/core/sql/tokenize-sql.js";

describe("rewriteForParser", () => {
  it.each([
    [
      "select * except (a, b) from t",
      `select *${" ".repeat(15)}from t`,
      [{ kind: "except", columns: ["a", "b"] }],
    ],
    [
      "select * replace (x + 1 as a) from t",
      "select *                      from t",
      [{ kind: "replace", columns: ["a"] }],
    ],
    ["select * exclude c from t", "select *           from t", [{ kind: "except", columns: ["c"] }]],
    [
      "select first_value(a ignore nulls) over () from t",
      "select first_value(a             ) over () from t",
      [],
    ],
    ["select 1 from t where a is not distinct from b", "select 1 from t where a =                    b", []],
    ["select 1 from t where a is distinct from b", "select 1 from t where a <>               b", []],
    ["select payload:user.id::string from t", `select payload${" ".repeat(8)}::string from t`, []],
    ['select """a\'b""" as s', "select 'a b'     as s", []],
    ["select a from t where x = 'is distinct from'", "select a from t where x = 'is distinct from'", []],
  ])("rewrites %j keeping every offset", (input, output, mods) => {
    const result = rewriteForParser(input);
    expect(result.text).toBe(output);
    expect(result.text.length).toBe(input.length);
    expect(result.starModifiers.map(({ kind, columns }) => ({ kind, columns }))).toEqual(mods);
  });

  it("keeps newlines so lines do not move", () => {
    expect(rewriteForParser("select * except (\n a,\n b\n) from t").text.split("\n")).toHaveLength(4);
  });
});

describe("splitStatements", () => {
  it("splits on semicolons outside strings and comments and skips statements without lineage", () => {
    const sql = "declare x int64;\nselect ';' as s -- ;\nfrom t;\ncreate temp function f() as (1);\n";
    const statements = splitStatements(sql);
    expect(statements.map((s) => [sql.slice(s.start, s.end), s.skip])).toEqual([
      ["declare x int64", true],
      ["select ';' as s -- ;\nfrom t", false],
      ["create temp function f() as (1)", true],
    ]);
  });
});

describe("fallbackTables", () => {
  it("finds targets and reads, not CTEs, functions or subquery keywords", () => {
    const sql = `insert into mart.t
with c as (select * from raw.a)
select substring(x from 2), (select 1 from raw.b) from c join "Raw"."C" using (k)`;
    const found = fallbackTables(tokenizeSql(sql), () => 7);
    expect(found.targets).toEqual([{ id: "mart.t", line: 7, kind: "table" }]);
    expect(found.reads.map((r) => r.id)).toEqual(["raw.a", "raw.b", "raw.c"]);
  });
});
