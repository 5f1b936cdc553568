import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseExpectations } from "../../../src/core/expectations/parse-expectations.js";
import { validateExpectations } from "../../../src/core/expectations/validate-expectations.js";
import type { LineageGraph } from "../../../src/core/lineage/schema.js";
import {
  type ExpectsBlockCheck,
  expectsTitlePrefix,
  renderExpectationsSection,
} from "../../../src/core/render/render-expectations-section.js";
import { liveMentions } from "./live-text.js";

const graph: LineageGraph = {
  version: 1,
  diagnostics: [],
  tables: [
    {
      id: "orders",
      kind: "model",
      file: "models/orders.sql",
      line: 1,
      confidence: "column",
      upstream: [],
      columns: [{ name: "amount", line: 2, transform: "passthrough", sources: [] }],
      rowSources: [],
    },
  ],
};

/** The block of a body with `lines` between the fences (body line 2 onward), checked against `graph`. */
function check(lines: string[]): ExpectsBlockCheck {
  const parsed = parseExpectations(["Intro", "```expects", ...lines, "```"].join("\n"));
  const validated = validateExpectations({ expectations: parsed.expectations, graph, repo: "o/r" });
  return {
    expectations: validated.bound,
    problems: [...parsed.problems, ...validated.problems].sort((a, b) => a.line - b.line),
  };
}

describe("renderExpectationsSection", () => {
  it("renders nothing and prefixes nothing without a block", () => {
    expect(renderExpectationsSection(undefined)).toBe("");
    expect(expectsTitlePrefix(undefined)).toBe("");
  });

  it("tables each watched expectation with metric, dataset/column, condition and window", () => {
    const section = renderExpectationsSection(
      check([
        "- metric: null_rate(orders.amount) <= 0.01 within 1d",
        "- metric: volume(orders) within 12.5% of baseline for 7d",
      ]),
    );
    expect(section.split("\n")).toEqual([
      "### Expectations",
      "",
      "Backflow will watch 2 expectations of the `expects` block once this pull request is merged:",
      "",
      "| Line | Metric | Dataset / column | Condition | Window |",
      "| --- | --- | --- | --- | --- |",
      "| 3 | `null_rate` | `orders.amount` | `<= 0.01` | `within 1d` |",
      "| 4 | `volume` | `orders` | `within 12.5% of baseline` | `for 7d` |",
    ]);
  });

  it("lists each problem with its body line and says how to fix it", () => {
    const result = check([
      "- metric: null_rate(orders.amount) <= 0.01 within 1d",
      "- metric: volume(order) > 1 within 1d",
      "- metric: nonsense",
    ]);
    const section = renderExpectationsSection(result);
    expect(section).toContain("Backflow will watch 1 expectation of");
    expect(section).toContain("**2 problems** in the `expects` block");
    expect(section).toContain("- line 4: dataset `order` is not in the lineage — did you mean `orders`?");
    expect(section).toMatch(/- line 5: expected `<metric>\(<dataset>\[\.<column>\]\)`/);
    expect(section).toContain("Edit the pull request description");
    expect(section).toContain(
      "`- metric: <metric>(<dataset>[.<column>]) <op> <value> within|for <duration>`",
    );
  });

  it("says an empty block watches nothing, without failing it", () => {
    const result = check(["# nothing yet"]);
    expect(renderExpectationsSection(result)).toContain("lists no expectations");
    expect(expectsTitlePrefix(result)).toBe("");
  });

  it.each([
    [0, ""],
    [1, "Invalid expects block: 1 problem · "],
    [3, "Invalid expects block: 3 problems · "],
  ])("prefixes the title for %i problem(s)", (n, prefix) => {
    const problems = Array.from({ length: n }, (_, i) => ({ line: i + 1, message: "bad" }));
    expect(expectsTitlePrefix({ expectations: [], problems })).toBe(prefix);
  });

  it("caps long lists and never quotes an over-long line", () => {
    const lines = Array.from({ length: 45 }, (_, i) => `- metric: volume(orders) > ${i} for 1d`);
    lines.push(`- metric: ${"x".repeat(2000)}`);
    const section = renderExpectationsSection(check(lines));
    expect(section).toContain("_…and 15 more expectations._");
    expect(section).toContain("too long to quote");
    expect(section).not.toContain("x".repeat(500));
  });

  it("keeps any body's section bounded and free of live mentions", () => {
    const line = fc.string({ maxLength: 3000 }).map((s) => s.replace(/`{3,}/g, "`"));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            line,
            line.map((s) => `- metric: ${s}`),
          ),
          { maxLength: 80 },
        ),
        (lines) => {
          const section = renderExpectationsSection(check(lines));
          expect(section.length).toBeLessThan(30_000);
          expect(liveMentions(section)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
