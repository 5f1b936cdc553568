import { describe, expect, it } from "vitest";
import { analyzeImpact } from "../../../src/core/impact/analyze-impact.js";
import { decideConclusion } from "../../../src/core/impact/decide-conclusion.js";
import { exampleScenario } from "./example-scenarios.js";

const STG = "models/staging/stg_orders.sql";

/** The example shop with stg_orders edited at head (base = the shop as is). */
function withStgOrders(edit: (sql: string) => string) {
  const s = exampleScenario("non-breaking");
  const sql = s.base.get(STG) ?? "";
  const head = new Map([...s.base, [STG, edit(sql)]]);
  return analyzeImpact({
    base: { files: s.base },
    head: { files: head },
    config: s.config,
    changedFiles: [STG],
  }).report;
}

describe("impact when the head SQL cannot be read column by column (issue 15.4)", () => {
  it("a rename next to SQL the parser cannot read is unknown and blocking, with the reason", () => {
    const report = withStgOrders((sql) =>
      sql
        .replace("user_id as customer_id", "user_id as cust_id")
        .replace("select * from renamed", "select * from renamed fetch first 1000000 rows with ties"),
    );
    // Whether the parser reads `fetch first … with ties` (then the rename itself is seen) or not (then the
    // lost column-level lineage is undecided), the pull request must not pass as non-breaking.
    expect(report.verdict).toBe("breaking");
    expect(report.blocking).toBe(true);
    const stg = report.changes.filter((c) => c.table === "stg_orders" && c.class !== "non-breaking");
    expect(
      stg.map((c) => c.kind).filter((k) => k === "columns_unknown" || k === "column_renamed"),
    ).toHaveLength(1);
    const unknown = stg.find((c) => c.kind === "columns_unknown");
    if (unknown)
      expect(unknown.message).toMatch(/lost at head \(models\/staging\/stg_orders\.sql:\d+: could not parse/);
    expect(decideConclusion(report, { breakingConclusion: "action_required" })).toBe("action_required");
  });

  it("losing column-level lineage on a model read downstream is unknown, never non-breaking", () => {
    // A statement the SQL front end cannot parse at all forces table-only lineage at head.
    const report = withStgOrders((sql) =>
      sql.replace("select * from renamed", "select * from renamed )))( ;;"),
    );
    const lost = report.changes.find((c) => c.kind === "columns_unknown");
    expect(lost).toMatchObject({ table: "stg_orders", class: "unknown" });
    expect(report.verdict).toBe("breaking");
    expect(report.blocking).toBe(true);
    expect(report.affected.some((a) => !a.changed && a.table === "int_customer_orders")).toBe(true);
  });

  it("losing column-level lineage on a model nothing reads and no contract covers does not block", () => {
    const s = exampleScenario("non-breaking");
    const path = "models/marts/lonely.sql";
    const base = new Map([...s.base, [path, "select order_id from {{ ref('stg_orders') }}"]]);
    const head = new Map([...base, [path, "select order_id from {{ ref('stg_orders') }} )))( ;;"]]);
    const { report } = analyzeImpact({
      base: { files: base },
      head: { files: head },
      config: s.config,
      changedFiles: [path],
    });
    const lost = report.changes.find((c) => c.kind === "columns_unknown");
    expect(lost).toMatchObject({ table: "lonely", class: "non-breaking" });
    expect(lost?.message).toContain("nothing downstream reads it");
    expect(report.blocking).toBe(false);
  });
});
