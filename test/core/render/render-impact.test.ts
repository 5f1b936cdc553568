import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ImpactReport, LineageChange } from "../../../src/core/impact/impact-report.js";
import { GITHUB_TEXT_LIMIT } from "../../../src/core/render/fit-to-limit.js";
import { renderImpact } from "../../../src/core/render/render-impact.js";
import { liveMentions } from "./live-text.js";

function change(i: number, fields: Partial<LineageChange> = {}): LineageChange {
  return {
    id: `t${i}.c`,
    table: `t${i}`,
    column: "c",
    kind: "column_removed",
    file: `models/t${i}.sql`,
    line: 3,
    class: "breaking",
    severity: "fail",
    message: `t${i}.c was removed`,
    ...fields,
  };
}

function report(changes: LineageChange[], extra: Partial<ImpactReport> = {}): ImpactReport {
  return {
    version: 1,
    verdict: "breaking",
    blocking: true,
    reasons: changes.map((c) => c.message),
    changes,
    affected: changes.flatMap((c) => [
      {
        table: c.table,
        column: "c",
        changed: true,
        via: "change" as const,
        causes: [c.id],
        contracts: [],
        owners: [],
      },
      {
        table: `down_${c.table}`,
        column: "c",
        changed: false,
        via: "column" as const,
        causes: [c.id],
        contracts: ["k"],
        owners: ["@team/x"],
      },
    ]),
    contracts: [{ id: "k", file: "contracts/k.yaml", tables: ["down_t0"], owners: ["@team/x"] }],
    contractChanges: [],
    rowLevel: [],
    diagnostics: [],
    ...extra,
  };
}

describe("renderImpact", () => {
  it("annotates each change on its line with its downstream, contracts and owners", () => {
    const { annotations } = renderImpact(report([change(0)]));
    expect(annotations).toEqual([
      {
        path: "models/t0.sql",
        start_line: 3,
        end_line: 3,
        annotation_level: "failure",
        title: "breaking: column removed",
        message: "t0.c was removed\nDownstream: down_t0.c\nContracts: k\nOwners: @team/x",
      },
    ]);
  });

  it("uses warning under warn severity, notice for non-breaking, and skips deleted files", () => {
    const changes = [
      change(0, { severity: "warn" }),
      change(1, { class: "non-breaking", kind: "column_added" }),
      change(2, { kind: "table_removed" }),
      change(3, { file: "models/gone.sql" }),
    ];
    const { annotations } = renderImpact(report(changes), {
      headPaths: new Set(["models/t0.sql", "models/t1.sql", "models/t2.sql"]),
    });
    expect(annotations.map((a) => [a.path, a.annotation_level])).toEqual([
      ["models/t0.sql", "warning"],
      ["models/t1.sql", "notice"],
    ]);
  });

  it("stays within GitHub's limit and keeps the verdict and the changes table for huge reports", () => {
    const changes = Array.from({ length: 400 }, (_, i) => change(i, { message: `${"x".repeat(200)} ${i}` }));
    const diagnostics = Array.from({ length: 2000 }, (_, i) => ({
      file: `f${i}.sql`,
      line: 1,
      severity: "warning" as const,
      message: "y".repeat(100),
    }));
    const { summary, annotations } = renderImpact(report(changes, { diagnostics }));
    expect(summary.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
    expect(summary.startsWith("**Breaking** (blocking) · 400 changes from 400 root causes")).toBe(true);
    expect(summary).toContain("…and 370 more changes, each annotated on its line.");
    expect(summary).toContain("…and 1970 more diagnostics");
    expect(annotations).toHaveLength(400);
    const { text } = renderImpact(report(changes, { diagnostics }));
    expect(text.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
    expect(text).toMatch(/Left out to stay within GitHub's size limit: .*Diagnostics/);
    expect(text).toContain("Run `backflow impact --base <base branch>` in a checkout to see everything.");
  });

  it("says who acknowledged and drops the request for it", () => {
    const rendered = renderImpact(report([change(0)]), {
      acknowledgement: { by: "@bob", at: "2025-06-01T12:00:00.000Z" },
    });
    expect(rendered.title).toBe("Breaking change acknowledged by @bob");
    expect(rendered.summary).toContain("Acknowledged by `@bob` at 2025-06-01T12:00:00.000Z");
    expect(rendered.summary).not.toContain("Acknowledge breaking**");
  });

  it("never lets a column name mention anyone or inject HTML (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        const { summary } = renderImpact(report([change(0, { message: `@${name} <img src=x> ${name}` })]));
        expect(liveMentions(summary)).toEqual([]);
        expect(summary).not.toContain("<img");
      }),
    );
  });
});
