import { describe, expect, it } from "vitest";
import { canaryOutcomeOf, canaryWatches, watchedOfImpact } from "../../../src/core/canary/canary-record.js";
import type { CanaryReport } from "../../../src/core/canary/decide-canary.js";
import type { ImpactReport } from "../../../src/core/impact/impact-report.js";

const affected = (table: string, column: string | undefined, changed: boolean) => ({
  table,
  ...(column ? { column } : {}),
  changed,
  via: changed ? ("change" as const) : ("column" as const),
  causes: ["c"],
  contracts: [],
  owners: [],
});
const change = (id: string, kind: ImpactReport["changes"][number]["kind"]) => {
  const [table = "", column] = id.split(".");
  return {
    id,
    table,
    ...(column ? { column } : {}),
    kind,
    file: `models/${table}.sql`,
    line: 1,
    class: "non-breaking" as const,
    severity: "warn" as const,
    message: "m",
  };
};
const report = (over: Partial<ImpactReport>): ImpactReport => ({
  version: 1,
  verdict: "non-breaking",
  blocking: false,
  reasons: [],
  changes: [],
  affected: [],
  contracts: [],
  contractChanges: [],
  rowLevel: [],
  diagnostics: [],
  ...over,
});

describe("watchedOfImpact", () => {
  it("watches changed and downstream columns once each, and tables only table lineage reaches", () => {
    const watched = watchedOfImpact(
      report({
        changes: [change("fct_orders.amount", "expression_changed")],
        affected: [
          affected("fct_orders", "amount", true),
          affected("fct_daily_revenue", "revenue", false),
          affected("FCT_ORDERS", "AMOUNT", false),
          affected("exposures_dashboard", undefined, false),
        ],
      }),
    );
    expect(watched).toEqual([
      { tableId: "exposures_dashboard" },
      { tableId: "fct_daily_revenue", column: "revenue" },
      { tableId: "fct_orders", column: "amount" },
    ]);
  });

  it("leaves out what the change removed: nothing will be measured there again", () => {
    const watched = watchedOfImpact(
      report({
        changes: [change("fct_orders.discount", "column_removed"), change("old_orders", "table_removed")],
        affected: [
          affected("fct_orders", "discount", true),
          affected("old_orders", "id", true),
          affected("fct_orders", "amount", false),
        ],
      }),
    );
    expect(watched).toEqual([{ tableId: "fct_orders", column: "amount" }]);
  });

  it("watches a table whose rows the change reshapes whole, instead of column by column", () => {
    const watched = watchedOfImpact(
      report({
        rowLevel: [
          {
            id: "r1",
            table: "fct_orders",
            file: "models/fct_orders.sql",
            line: 3,
            message: "m",
            added: [],
            removed: [],
          },
        ],
        affected: [affected("fct_orders", "amount", true), affected("fct_daily_revenue", "revenue", false)],
      }),
    );
    expect(watched).toEqual([{ tableId: "fct_daily_revenue", column: "revenue" }, { tableId: "fct_orders" }]);
  });

  it("watches nothing for an impact with no change", () => {
    expect(watchedOfImpact(report({ verdict: "none" }))).toEqual([]);
  });
});

describe("canaryOutcomeOf", () => {
  const result = (verdict: CanaryReport["results"][number]["verdict"]) => ({
    target: "t",
    metric: "m",
    verdict,
    evidence: "e",
    before: 10,
    after: 2,
    change: null,
    annotations: [],
  });
  const of = (...verdicts: CanaryReport["results"][number]["verdict"][]) =>
    canaryOutcomeOf({
      enabled: true,
      windowEnds: null,
      complete: true,
      results: verdicts.map(result),
      watched: verdicts.length,
      summary: "",
      commentAtEnd: true,
    });
  it.each([
    [["regression", "clean"], "regressed"],
    [["no-signal", "regression"], "regressed"],
    [["no-signal", "no-signal"], "no-signal"],
    [["no-signal", "clean"], "clean"],
    [["regression-before-merge"], "clean"],
    [["explained", "no-signal"], "clean"],
  ] as const)("%j → %s", (verdicts, outcome) => {
    expect(of(...verdicts)).toBe(outcome);
  });
});

describe("canaryWatches", () => {
  const watched = [{ tableId: "fct_orders", column: "amount" }, { tableId: "dim_customers" }];
  it.each([
    ["fct_orders", "amount", true],
    ["FCT_ORDERS", "Amount", true],
    ["fct_orders", "status", false],
    ["fct_orders", undefined, false],
    ["dim_customers", "email", true],
    ["dim_customers", undefined, true],
    ["stg_orders", "amount", false],
  ] as const)("%s.%s → %s", (table, column, expected) => {
    expect(canaryWatches(watched, table, column)).toBe(expected);
  });
});
