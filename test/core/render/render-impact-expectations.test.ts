import { describe, expect, it } from "vitest";
import type { ImpactReport } from "../../../src/core/impact/impact-report.js";
import { GITHUB_TEXT_LIMIT } from "../../../src/core/render/fit-to-limit.js";
import type { ExpectsBlockCheck } from "../../../src/core/render/render-expectations-section.js";
import { renderImpact } from "../../../src/core/render/render-impact.js";

/** A breaking report whose changes table and contract list each nearly fill GitHub's limit. */
function hugeReport(): ImpactReport {
  const changes = Array.from({ length: 400 }, (_, i) => ({
    id: `t${i}.c`,
    table: `t${i}`,
    column: "c",
    kind: "column_removed" as const,
    file: `models/t${i}.sql`,
    line: 3,
    class: "breaking" as const,
    severity: "fail" as const,
    message: `${"x".repeat(200)} ${i}`,
  }));
  return {
    version: 1,
    verdict: "breaking",
    blocking: true,
    reasons: ["a column that downstream models read was removed"],
    changes,
    affected: [],
    contracts: Array.from({ length: 600 }, (_, i) => ({
      id: `contract_${"k".repeat(80)}_${i}`,
      file: `contracts/k${i}.yaml`,
      tables: [`t${i}`],
      owners: ["@team/x"],
    })),
    contractChanges: [],
    rowLevel: [],
    diagnostics: [],
  };
}

const PROBLEMS: ExpectsBlockCheck = {
  expectations: [],
  problems: [
    { line: 7, message: "dataset `ordrs` is not in the lineage — did you mean `orders`?" },
    { line: 9, message: "expected a comparison" },
  ],
};

describe("renderImpact with an expects block", () => {
  it("keeps the problems that fail the check near the top, before the details that may be dropped", () => {
    const { title, summary } = renderImpact(hugeReport(), { expectations: PROBLEMS });
    expect(summary.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
    expect(summary.indexOf("### Expectations")).toBeLessThan(summary.indexOf("### Changes"));
    expect(summary).toContain("- line 7: dataset `ordrs` is not in the lineage");
    expect(summary).toContain("- line 9: expected a comparison");
    expect(title).toMatch(/^Invalid expects block: 2 problems · Breaking: /);
  });

  it("renders exactly the same text without a block as before expectations existed", () => {
    const report = hugeReport();
    expect(renderImpact(report, {})).toEqual(renderImpact(report));
    expect(renderImpact(report).summary).not.toContain("### Expectations");
  });
});
