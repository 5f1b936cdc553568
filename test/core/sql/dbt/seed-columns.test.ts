/** The header of a dbt seed's CSV read as its columns (RFC 4180 quoting, BOM, CRLF), and where seeds live. */
import { describe, expect, it } from "vitest";
import {
  firstCsvRecord,
  isSeedFile,
  readCsvHeader,
  seedNameOf,
  seedPathsInProjectFile,
} from "../../../../src/core/sql/dbt/seed-columns.js";

describe("readCsvHeader", () => {
  it.each([
    ["plain names", "id,name,amount\n1,a,2\n", ["id", "name", "amount"]],
    ["no line after the header", "id,name", ["id", "name"]],
    ["CRLF line ends", "id,name\r\n1,a\r\n", ["id", "name"]],
    ["a UTF-8 BOM", "\uFEFFid,name\n", ["id", "name"]],
    ["spaces around names", " id , name \n", ["id", "name"]],
    ["a quoted name holding a comma", '"id","last, first"\n', ["id", "last, first"]],
    ["a doubled quote inside a quoted name", '"say ""hi""",b\n', ['say "hi"', "b"]],
    ["a quoted name holding a line break", '"a\nb",c\nrow', ["a\nb", "c"]],
    ["one column", "only\n1\n", ["only"]],
    ["only the first line is read", 'a,b\n"unclosed\n', ["a", "b"]],
  ])("reads %s", (_label, text, columns) => {
    expect(readCsvHeader(text)).toEqual({ columns });
  });

  it.each([
    ["an empty file", "", "its header line is empty"],
    ["an empty first line", "\n1,2\n", "its header line is empty"],
    ["a BOM alone", "\uFEFF", "its header line is empty"],
    ["a blank column name", "a,,c\n", "column 2 of its header has no name"],
    ["a trailing comma", "a,b,\n", "column 3 of its header has no name"],
    ["an unclosed quote", '"a,b\n', "its header has a quoted name that is never closed"],
  ])("gives no columns and a problem for %s", (_label, text, problem) => {
    expect(readCsvHeader(text)).toEqual({ columns: [], problem });
  });
});

describe("seed files", () => {
  it("keeps the first record only, line breaks inside quotes included", () => {
    expect(firstCsvRecord('a,"b\nc"\r\n1,2\n')).toBe('a,"b\nc"');
    expect(firstCsvRecord("a,b")).toBe("a,b");
  });

  it("reads seed-paths, then data-paths, else seeds, relative to the project's folder", () => {
    expect(seedPathsInProjectFile("", "name: p\n")).toEqual(["seeds"]);
    expect(seedPathsInProjectFile("integration_tests", "name: p\nseed-paths: ['data', 'more/']\n")).toEqual([
      "integration_tests/data",
      "integration_tests/more",
    ]);
    expect(seedPathsInProjectFile("x", 'data-paths: ["./d"]\n')).toEqual(["x/d"]);
    expect(seedPathsInProjectFile("x", "seed-paths: 3\n")).toEqual(["x/seeds"]);
    expect(seedPathsInProjectFile("x", ": : not yaml [")).toEqual(["x/seeds"]);
  });

  it("is a CSV inside a seed folder, named by its stem", () => {
    expect(isSeedFile("seeds/sub/My_Seed.CSV", ["seeds"])).toBe(true);
    expect(isSeedFile("seedsx/a.csv", ["seeds"])).toBe(false);
    expect(isSeedFile("seeds/a.tsv", ["seeds"])).toBe(false);
    expect(seedNameOf("seeds/sub/My_Seed.CSV")).toBe("my_seed");
  });
});
