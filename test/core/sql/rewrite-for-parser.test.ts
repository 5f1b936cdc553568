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
      "select * ,        x + 1 as a  from t",
      [{ kind: "except", columns: ["a"] }],
    ],
    ["select f(a).* from t", "select f(a)   from t", [{ kind: "fields", columns: [] }]],
    ["select f(x => a) from t", "select f(     a) from t", []],
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

  it.each([
    ["select safe_cast(a as int) as x", "select ABS(      a       ) as x"],
    ["select cast(\n a as int) from t", "select ABS( \n a       ) from t"],
    ["select cast(a as bigint), cast(b as byteint)", "select cast(a as INT64 ), cast(b as INT64  )"],
    ["select cast(a as boolean) from t", "select cast(a as BOOL   ) from t"],
    ["select a as int from t", "select a as int from t"],
    ["select count(*) from t group by all", "select count(*) from t             "],
    ["select a from t qualify x = 1", "select a from t WHERE   x = 1"],
    ["select a from t where b qualify x = 1", "select a from t where b qualify x = 1"],
    [
      "select (select a from u qualify x) from t where b",
      "select (select a from u WHERE   x) from t where b",
    ],
    ["select f(a).b, f(a).c.d as e from t", "select f(a) b, f(a)     as e from t"],
    [
      "select 1 from t where f(a).b > 1 group by f(a).b, 2",
      "select 1 from t where f(a)   > 1 group by f(a)  , 2",
    ],
    ["select g(f(a).b) from t", "select g(f(a)  ) from t"],
    ["select split(x, '.')[offset(1)] as s from t", "select split(x, '.')            as s from t"],
    [
      "select a.`k`[safe_offset(0)].value.name as n, [1] as l",
      "select a.`k`                            as n, [1] as l",
    ],
    ["select `p-1.udf.f`(a) from `p-1.d.t`", "select _p_1_udf_f_(a) from `p-1.d.t`"],
    ["insert into `p.d.t` (a) select 1", "insert into `p.d.t` (a) select 1"],
    [
      "select a & b, a | b, a ^ b, ~a, a << 1, a >> 1, a || b from t",
      "select a + b, a + b, a + b, -a, a +  1, a +  1, a || b from t",
    ],
    // A parameterized cast type is blanked to STRING (it is not lineage); its `>>` is never an operator.
    ["select cast(x as array<struct<a int64>>) from t", "select cast(x as STRING                ) from t"],
  ])("with bigQuery rewrites %j keeping every offset", (input, output) => {
    const result = rewriteForParser(input, { bigQuery: true });
    expect(result.text).toBe(output);
    expect(rewriteForParser(input).text).toBe(input);
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
