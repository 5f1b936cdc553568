import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeSql } from "../../../src/core/impact/normalize-sql.js";

describe("normalizeSql", () => {
  it.each([
    ["select a,b from t", "SELECT  a ,\n  b\nFROM   t"],
    ["select a from t", "select a -- the key\nfrom t /* block\ncomment */"],
    ["select {{ ref('x') }}", "select {{ref('x')}} {# jinja note #}"],
  ])("treats %j and %j as the same SQL", (a, b) => {
    expect(normalizeSql(a)).toBe(normalizeSql(b));
  });

  it.each([
    ["select 'A' from t", "select 'a' from t"],
    ["select a from t where x > 1", "select a from t where x > 2"],
    ["select '-- not a comment' from t", "select '' from t"],
  ])("keeps %j and %j apart", (a, b) => {
    expect(normalizeSql(a)).not.toBe(normalizeSql(b));
  });

  it("is idempotent and ignores added whitespace and comments (property)", () => {
    const token = fc.constantFrom("select", "a", "b", ",", "(", ")", "from", "t", "'x y'", "=", "1");
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 20 }),
        fc.constantFrom(" ", "\n  ", " -- c\n", " /* c */ "),
        (tokens, gap) => {
          const plain = tokens.join(" ");
          const noisy = tokens.join(gap);
          expect(normalizeSql(noisy)).toBe(normalizeSql(plain));
          expect(normalizeSql(normalizeSql(plain))).toBe(normalizeSql(plain));
        },
      ),
    );
  });
});
