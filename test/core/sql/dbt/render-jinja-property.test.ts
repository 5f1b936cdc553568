import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderJinja } from "../../../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "./dbt-context.js";

const FRAGMENTS = [
  "{{",
  "}}",
  "{%",
  "%}",
  "{#",
  "#}",
  "{%-",
  "-%}",
  "{{-",
  "-}}",
  "\n",
  " ",
  "'",
  '"',
  "(",
  ")",
  "[",
  "]",
  ",",
  "=",
  "if",
  "elif",
  "else",
  "endif",
  "for",
  "in",
  "endfor",
  "set",
  "endset",
  "macro",
  "endmacro",
  "call",
  "endcall",
  "raw",
  "endraw",
  "x",
  "loop.last",
  "ref('m')",
  "source('s', 't')",
  "config(a=1)",
  "var('v')",
  "is_incremental()",
  "range(3)",
  "|",
  "join",
  "~",
  "not",
  "and",
  "select a from t",
  "my_macro(",
  "return(",
  "caller()",
  "do",
  "1",
  ".",
];

const template = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((parts) => parts.join("")),
  fc
    .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 5 })), { maxLength: 40 })
    .map((parts) => parts.join("")),
);

describe("renderJinja invariants", () => {
  it("never throws, and maps every rendered line to a line of the source", () => {
    fc.assert(
      fc.property(template, fc.boolean(), (text, isIncremental) => {
        const result = renderJinja(text, dbtContext({ isIncremental }));
        const sourceLines = text.split("\n").length;
        expect(result.lineMap).toHaveLength(result.sql.split("\n").length);
        for (const line of result.lineMap) {
          expect(Number.isInteger(line)).toBe(true);
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(sourceLines);
        }
        for (const d of result.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(sourceLines);
          expect(d.message).not.toContain("could not render");
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves text without Jinja unchanged, line for line", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }).filter((s) => !/\{[{%#]/.test(s)),
        (text) => {
          const result = renderJinja(text, dbtContext());
          expect(result.sql).toBe(text);
          expect(result.lineMap).toEqual(text.split("\n").map((_, i) => i + 1));
          expect(result.diagnostics).toEqual([]);
        },
      ),
    );
  });
});
