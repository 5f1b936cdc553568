import { describe, expect, it } from "vitest";
import { shouldAutoPropose } from "../../../src/core/proposals/should-auto-propose.js";
import { configFor, finding } from "./fixtures.js";

describe("shouldAutoPropose", () => {
  const f = finding({
    tableId: "fct_orders",
    column: "customer_id",
    metric: "nullValues",
    kind: "completeness",
  });

  it.each([
    { name: "on-command mode never", proposals: {}, expected: false },
    { name: "auto with an empty list: every finding", proposals: { mode: "auto" as const }, expected: true },
    {
      name: "auto listing the metric",
      proposals: { mode: "auto" as const, auto: ["nullValues"] },
      expected: true,
    },
    {
      name: "auto listing the metric kind",
      proposals: { mode: "auto" as const, auto: ["completeness"] },
      expected: true,
    },
    {
      name: "auto listing a dataset glob",
      proposals: { mode: "auto" as const, auto: ["fct_*"] },
      expected: true,
    },
    {
      name: "auto listing a column",
      proposals: { mode: "auto" as const, auto: ["fct_orders.customer_id"] },
      expected: true,
    },
    {
      name: "auto listing something else",
      proposals: { mode: "auto" as const, auto: ["dim_*", "rowCount"] },
      expected: false,
    },
  ])("$name", ({ proposals, expected }) => {
    expect(shouldAutoPropose(configFor({ proposals }), f)).toBe(expected);
  });

  it("ignores findings that are resolved, expected or unmatched", () => {
    const config = configFor({ proposals: { mode: "auto" } });
    for (const decision of ["resolve", "expected", "unmatched", "none"] as const)
      expect(shouldAutoPropose(config, { ...f, decision })).toBe(false);
  });
});
