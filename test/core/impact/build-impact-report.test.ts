import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { analyzeImpact } from "../../../src/core/impact/analyze-impact.js";
import { decideConclusion } from "../../../src/core/impact/decide-conclusion.js";
import { impactHash } from "../../../src/core/impact/impact-hash.js";
import { ImpactReportSchema } from "../../../src/core/impact/impact-report.js";
import { analyzeScenario, exampleScenario } from "./example-scenarios.js";

describe("buildImpactReport on the example shop", () => {
  it("finds the breaking rename, its downstream models, contracts and owners", () => {
    const { report } = analyzeScenario("breaking");
    expect(ImpactReportSchema.parse(report)).toEqual(report);
    expect(report.verdict).toBe("breaking");
    expect(report.blocking).toBe(true);
    expect(report.changes.map((c) => [c.id, c.kind, c.class])).toEqual([
      ["stg_orders.customer_id", "column_renamed", "breaking"],
    ]);
    const downstream = new Set(report.affected.filter((a) => !a.changed).map((a) => a.table));
    expect([...downstream].sort()).toEqual([
      "customer_ltv",
      "dim_customers",
      "fct_daily_revenue",
      "fct_orders",
      "int_customer_orders",
    ]);
    expect(report.contracts.map((c) => [c.id, c.tables, c.owners])).toEqual([
      ["customers", ["dim_customers"], ["@alice-analyst"]],
      ["dim_customers", ["dim_customers"], ["@alice-analyst"]],
      ["orders", ["fct_orders"], ["@shop-data/analytics-eng", "@bob-engineer"]],
    ]);
    const fct = report.affected.find((a) => a.table === "fct_orders" && a.column === "customer_id");
    expect(fct?.owners).toEqual(["@shop-data/analytics-eng"]);
    expect(fct?.path?.map((h) => `${h.table}.${h.column}`)).toEqual([
      "stg_orders.customer_id",
      "fct_orders.customer_id",
    ]);
    expect(decideConclusion(report, { breakingConclusion: "action_required" })).toBe("action_required");
    expect(decideConclusion(report, { breakingConclusion: "failure" })).toBe("failure");
  });

  it("calls the non-breaking scenario non-breaking and ignores its comment-only edit", () => {
    const { report } = analyzeScenario("non-breaking");
    expect(report.verdict).toBe("non-breaking");
    expect(report.blocking).toBe(false);
    expect(report.changes.map((c) => [c.id, c.kind])).toEqual([["dim_products.price_tier", "column_added"]]);
    expect(report.rowLevel).toEqual([]);
    expect(report.contracts).toEqual([]);
    expect(report.affected.every((a) => a.changed)).toBe(true);
    expect(decideConclusion(report, { breakingConclusion: "action_required" })).toBe("success");
  });

  it("gives no verdict for a comment-only pull request", () => {
    const s = exampleScenario("non-breaking");
    const path = "models/staging/stg_customers.sql";
    const head = new Map([...s.base, [path, s.head.get(path) ?? ""]]);
    const { report } = analyzeImpact({
      base: { files: s.base },
      head: { files: head },
      config: s.config,
      changedFiles: [path],
    });
    expect(report.verdict).toBe("none");
    expect(report.changes).toEqual([]);
    expect(decideConclusion(report, { breakingConclusion: "action_required" })).toBe("success");
  });

  it("scopes the verdict to the pull request's own files", () => {
    const s = exampleScenario("breaking");
    const { report } = analyzeImpact({
      base: { files: s.base },
      head: { files: s.head },
      config: s.config,
      changedFiles: ["README.md"],
    });
    expect(report.verdict).toBe("none");
  });

  it("reports but does not block under warn severity", () => {
    const s = exampleScenario("breaking");
    const config = parseConfig("impact:\n  severity:\n    - { path: 'models/staging/**', level: warn }\n");
    const { report } = analyzeImpact({
      base: { files: s.base },
      head: { files: s.head },
      config,
      changedFiles: s.changed,
    });
    expect(report.verdict).toBe("breaking");
    expect(report.blocking).toBe(false);
    expect(report.changes[0]?.severity).toBe("warn");
    expect(decideConclusion(report, { breakingConclusion: "action_required" })).toBe("neutral");
  });

  it("catches the deletion of a contracted model", () => {
    const s = exampleScenario("breaking");
    const head = new Map(s.base);
    head.delete("models/marts/fct_orders.sql");
    const { report } = analyzeImpact({
      base: { files: s.base },
      head: { files: head },
      config: s.config,
      changedFiles: ["models/marts/fct_orders.sql"],
    });
    expect(report.verdict).toBe("breaking");
    expect(report.changes).toEqual([
      expect.objectContaining({ kind: "table_removed", id: "fct_orders", class: "breaking" }),
    ]);
    expect(report.contracts.map((c) => c.id)).toContain("orders");
  });

  it("keeps the impact hash across a push that only moves lines, and changes it when the impact changes", () => {
    const s = exampleScenario("breaking");
    const path = "models/staging/stg_orders.sql";
    const moved = new Map([...s.head, [path, `-- moved down\n\n${s.head.get(path)}`]]);
    const run = (head: Map<string, string>) =>
      analyzeImpact({
        base: { files: s.base },
        head: { files: head },
        config: s.config,
        changedFiles: [path],
      }).report;
    const first = run(s.head);
    expect(impactHash(run(moved))).toBe(impactHash(first));
    const other = new Map([
      ...s.head,
      [path, (s.head.get(path) ?? "").replace("lower(status) as status,", "")],
    ]);
    expect(impactHash(run(other))).not.toBe(impactHash(first));
  });
});
