import { describe, expect, it } from "vitest";
import type { ContractRule } from "../../../src/core/contracts/contract.js";
import { compareRules, describeRule, diffRules } from "../../../src/core/contracts/diff-rules.js";

const rule = (
  operator: string,
  value: ContractRule["value"],
  extra: Partial<ContractRule> = {},
): ContractRule => ({
  metric: "nullValues",
  operator,
  value,
  line: 1,
  ...extra,
});

type Row = [string, ContractRule, ContractRule, ReturnType<typeof compareRules>];

/** Each row: what changed, before, after, and the verdict (tightened = accepts fewer measurements). */
const ROWS: Row[] = [
  ["same bound", rule("mustBeLessThan", 10), rule("mustBeLessThan", 10), "same"],
  ["lower upper bound", rule("mustBeLessThan", 10), rule("mustBeLessThan", 5), "tightened"],
  ["higher upper bound", rule("mustBeLessThan", 10), rule("mustBeLessThan", 20), "loosened"],
  [
    "open → closed upper bound at the same value (< 10 → ≤ 10)",
    rule("mustBeLessThan", 10),
    rule("mustBeLessOrEqualTo", 10),
    "loosened",
  ],
  [
    "closed → open upper bound at the same value (≤ 10 → < 10)",
    rule("mustBeLessOrEqualTo", 10),
    rule("mustBeLessThan", 10),
    "tightened",
  ],
  [
    "open → closed lower bound (> 0 → ≥ 0)",
    rule("mustBeGreaterThan", 0),
    rule("mustBeGreaterOrEqualTo", 0),
    "loosened",
  ],
  [
    "closed → open lower bound (≥ 0 → > 0)",
    rule("mustBeGreaterOrEqualTo", 0),
    rule("mustBeGreaterThan", 0),
    "tightened",
  ],
  ["higher lower bound", rule("mustBeGreaterThan", 0), rule("mustBeGreaterThan", 5), "tightened"],
  ["lower lower bound", rule("mustBeGreaterOrEqualTo", 5), rule("mustBeGreaterOrEqualTo", 1), "loosened"],
  ["narrower between", rule("mustBeBetween", [0, 100]), rule("mustBeBetween", [10, 90]), "tightened"],
  ["wider between", rule("mustBeBetween", [10, 90]), rule("mustBeBetween", [0, 100]), "loosened"],
  [
    "shifted between (neither inside the other)",
    rule("mustBeBetween", [0, 50]),
    rule("mustBeBetween", [25, 75]),
    "changed",
  ],
  [
    "between → its closed upper bound alone",
    rule("mustBeBetween", [0, 10]),
    rule("mustBeLessOrEqualTo", 10),
    "loosened",
  ],
  ["exact value → a range around it", rule("mustBe", 0), rule("mustBeBetween", [0, 5]), "loosened"],
  ["range → exact value inside it", rule("mustBeLessOrEqualTo", 5), rule("mustBe", 0), "tightened"],
  [
    "mustNotBe widened to mustNotBeBetween",
    rule("mustNotBe", 5),
    rule("mustNotBeBetween", [0, 10]),
    "tightened",
  ],
  [
    "mustNotBeBetween narrowed",
    rule("mustNotBeBetween", [0, 10]),
    rule("mustNotBeBetween", [2, 8]),
    "loosened",
  ],
  ["different metric", rule("mustBe", 0), rule("mustBe", 0, { metric: "rowCount" }), "changed"],
  [
    "different arguments",
    rule("mustBe", 0, { arguments: { a: 1 } }),
    rule("mustBe", 0, { arguments: { a: 2 } }),
    "changed",
  ],
  [
    "arguments in another key order",
    rule("mustBe", 0, { arguments: { a: 1, b: 2 } }),
    rule("mustBe", 0, { arguments: { b: 2, a: 1 } }),
    "same",
  ],
  [
    "non-numeric rule, same text",
    rule("query", "select 1", { metric: "sql" }),
    rule("query", "select 1", { metric: "sql" }),
    "same",
  ],
  [
    "non-numeric rule, other text",
    rule("query", "select 1", { metric: "sql" }),
    rule("query", "select 2", { metric: "sql" }),
    "changed",
  ],
  [
    "severity downgrade error → warning (weakening)",
    rule("mustBe", 0, { severity: "error" }),
    rule("mustBe", 0, { severity: "warning" }),
    "loosened",
  ],
  [
    "severity upgrade warning → error",
    rule("mustBe", 0, { severity: "warning" }),
    rule("mustBe", 0, { severity: "error" }),
    "tightened",
  ],
  [
    "severity downgrade from the default (error) to info",
    rule("mustBe", 0),
    rule("mustBe", 0, { severity: "info" }),
    "loosened",
  ],
  [
    "warn and warning are the same severity",
    rule("mustBe", 0, { severity: "warn" }),
    rule("mustBe", 0, { severity: "WARNING" }),
    "same",
  ],
  [
    "unknown severities that differ",
    rule("mustBe", 0, { severity: "p1" }),
    rule("mustBe", 0, { severity: "p2" }),
    "changed",
  ],
  [
    "a tighter bound wins over a severity change",
    rule("mustBeLessThan", 10, { severity: "error" }),
    rule("mustBeLessThan", 5, { severity: "warning" }),
    "tightened",
  ],
];

describe("compareRules (ODCS quality thresholds, by the set of measurements each accepts)", () => {
  it.each(ROWS)("%s", (_name, before, after, verdict) => {
    expect(compareRules(before, after)).toBe(verdict);
  });
});

const ctx = { contractId: "c", file: "c.yaml", dataset: "t" };

describe("diffRules", () => {
  it("classes a severity downgrade error → warning as rule_loosened, breaking for consumers", () => {
    const [change] = diffRules(
      [rule("mustBe", 0, { id: "r", severity: "error" })],
      [rule("mustBe", 0, { id: "r", severity: "warning" })],
      ctx,
    );
    expect(change).toMatchObject({ kind: "rule_loosened", class: "breaking", mustAct: "consumers" });
  });

  it("classes mustBeLessThan 10 → mustBeLessOrEqualTo 10 as loosened (a closed bound accepts 10)", () => {
    const [change] = diffRules(
      [rule("mustBeLessThan", 10, { id: "r" })],
      [rule("mustBeLessOrEqualTo", 10, { id: "r" })],
      ctx,
    );
    expect(change).toMatchObject({ kind: "rule_loosened", class: "breaking" });
  });

  it("classes a tightened threshold as binding the producer, not breaking consumers", () => {
    const [change] = diffRules(
      [rule("mustBeLessThan", 10, { id: "r" })],
      [rule("mustBeLessThan", 5, { id: "r" })],
      ctx,
    );
    expect(change).toMatchObject({ kind: "rule_tightened", class: "non-breaking", mustAct: "producer" });
  });

  it("reports a changed metric as unknown", () => {
    const [change] = diffRules(
      [rule("mustBe", 0, { id: "r" })],
      [rule("mustBe", 0, { id: "r", metric: "rowCount" })],
      ctx,
    );
    expect(change).toMatchObject({ kind: "rule_changed", class: "unknown" });
  });

  it("reports removed and added rules, matching rules without ids by column and metric", () => {
    const changes = diffRules(
      [rule("mustBe", 0, { column: "a" }), rule("mustBe", 0, { column: "b", metric: "duplicateValues" })],
      [rule("mustBe", 0, { column: "A" }), rule("mustBe", 0, { column: "c", metric: "duplicateValues" })],
      ctx,
    );
    expect(changes.map((c) => [c.kind, c.column, c.class, c.mustAct])).toEqual([
      ["rule_removed", "b", "breaking", "consumers"],
      ["rule_added", "c", "non-breaking", "producer"],
    ]);
  });

  it("keeps two rules of the same column and metric apart, in order", () => {
    const before = [
      rule("mustBeLessThan", 10, { column: "a" }),
      rule("mustBeGreaterThan", 0, { column: "a" }),
    ];
    const after = [
      rule("mustBeLessThan", 10, { column: "a" }),
      rule("mustBeGreaterThan", 5, { column: "a" }),
    ];
    expect(diffRules(before, after, ctx).map((c) => c.kind)).toEqual(["rule_tightened"]);
  });

  it("follows a column rename and stays silent about rules of a dropped column", () => {
    const fate = { dropped: new Set(["gone"]), renames: new Map([["old", "new"]]) };
    const changes = diffRules(
      [rule("mustBe", 0, { column: "old" }), rule("mustBe", 0, { column: "gone" })],
      [rule("mustBe", 0, { column: "new" })],
      ctx,
      fate,
    );
    expect(changes).toEqual([]);
  });

  it("describes a rule with its id, column, operator, value and severity", () => {
    expect(describeRule(rule("mustBeBetween", [0, 5], { id: "r1", column: "x", severity: "warning" }))).toBe(
      "r1: nullValues on x mustBeBetween [0, 5] (warning)",
    );
  });
});
