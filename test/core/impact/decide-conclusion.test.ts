import { describe, expect, it } from "vitest";
import { decideConclusion, type ImpactConclusion } from "../../../src/core/impact/decide-conclusion.js";
import type { ImpactReport } from "../../../src/core/impact/impact-report.js";

type Case = {
  verdict: ImpactReport["verdict"];
  blocking?: boolean;
  downstream?: boolean;
  acknowledged?: boolean;
  expectsProblems?: number;
  expected: ImpactConclusion;
};

function reportOf(c: Case): Pick<ImpactReport, "verdict" | "blocking" | "affected" | "contracts"> {
  return {
    verdict: c.verdict,
    blocking: c.blocking ?? false,
    contracts: [],
    affected: c.downstream
      ? [
          {
            table: "down",
            column: "c",
            changed: false,
            via: "column",
            causes: ["x"],
            contracts: [],
            owners: [],
          },
        ]
      : [],
  };
}

const cases: Case[] = [
  { verdict: "none", expected: "success" },
  { verdict: "non-breaking", expected: "success" },
  { verdict: "non-breaking", downstream: true, expected: "neutral" },
  { verdict: "breaking", blocking: true, downstream: true, expected: "action_required" },
  { verdict: "breaking", blocking: false, downstream: true, expected: "neutral" },
  { verdict: "breaking", blocking: true, downstream: true, acknowledged: true, expected: "success" },
  // A valid (or absent) expects block never changes the analysis conclusion.
  { verdict: "none", expectsProblems: 0, expected: "success" },
  { verdict: "breaking", blocking: true, downstream: true, expectsProblems: 0, expected: "action_required" },
  // Problems fail the check whatever the impact, even an acknowledged one.
  { verdict: "none", expectsProblems: 1, expected: "failure" },
  { verdict: "non-breaking", downstream: true, expectsProblems: 2, expected: "failure" },
  { verdict: "breaking", blocking: true, downstream: true, expectsProblems: 1, expected: "failure" },
  {
    verdict: "breaking",
    blocking: true,
    downstream: true,
    acknowledged: true,
    expectsProblems: 1,
    expected: "failure",
  },
];

describe("decideConclusion", () => {
  it.each(cases)(
    "concludes $expected for $verdict (blocking $blocking, downstream $downstream, acknowledged $acknowledged, $expectsProblems expects problems)",
    (c) => {
      const conclusion = decideConclusion(reportOf(c), {
        breakingConclusion: "action_required",
        ...(c.acknowledged ? { acknowledgement: { by: "@o", at: "2025-06-01T00:00:00Z" } } : {}),
        ...(c.expectsProblems === undefined ? {} : { expectsProblems: c.expectsProblems }),
      });
      expect(conclusion).toBe(c.expected);
    },
  );

  it("uses the configured conclusion for blocking breaking changes unless the expects block fails", () => {
    const report = reportOf({ verdict: "breaking", blocking: true, downstream: true, expected: "failure" });
    expect(decideConclusion(report, { breakingConclusion: "failure" })).toBe("failure");
    expect(decideConclusion(report, { breakingConclusion: "action_required", expectsProblems: 3 })).toBe(
      "failure",
    );
  });
});
