import { describe, expect, it } from "vitest";
import { ConfigSchema, type MetricKind } from "../../../src/core/config/schema.js";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import { evaluateThreshold } from "../../../src/core/triage/evaluate-threshold.js";
import { resolveThreshold } from "../../../src/core/triage/thresholds.js";
import { history, signal } from "./signal.js";

const defaults = ConfigSchema.parse({});

function judge(
  measurement: NonNullable<Signal["measurement"]>,
  past = history(measurement.metric, []),
  over: Partial<Signal> = {},
  sla?: number,
) {
  const s = signal({ measurement, column: "revenue", ...over });
  const threshold = resolveThreshold({
    config: defaults,
    tableId: "fct_revenue",
    column: "revenue",
    metric: measurement.metric,
    kind: measurement.kind,
    unit: measurement.unit,
    signalThreshold: measurement.threshold,
    freshnessSlaHours: sla,
  });
  return evaluateThreshold({ signal: s, threshold, history: past });
}

const m = (metric: string, kind: MetricKind, value: number, unit?: string) => ({ metric, kind, value, unit });
const steady = (metric: string, around: number) =>
  history(
    metric,
    [0.98, 1.01, 1, 0.99, 1.02, 1, 0.97].map((f) => f * around),
  );

describe("default thresholds per metric kind", () => {
  it.each([
    ["a null rate above 1%", m("nullRate", "completeness", 0.042), [], true, "above the maximum 0.01"],
    ["a null rate of 0.5%", m("nullRate", "completeness", 0.005), [], false, "within"],
    ["a null percent above 1%", m("nullValues", "completeness", 1.2, "percent"), [], true, "0.012"],
    ["completeness below 0.99", m("completeness", "completeness", 0.95), [], true, "below the minimum 0.99"],
    [
      "row count 60% under the baseline",
      m("rowCount", "volume", 4000, "rows"),
      steady("rowCount", 10000),
      true,
      "below the baseline",
    ],
    [
      "row count 10% under the baseline",
      m("rowCount", "volume", 9000, "rows"),
      steady("rowCount", 10000),
      false,
      "within 30%",
    ],
    ["duplicates present", m("duplicateValues", "consistency", 3, "rows"), [], true, "above the maximum 0"],
    ["no duplicates", m("duplicateValues", "consistency", 0, "rows"), [], false, "within"],
    ["psi far from its history", m("psi", "drift", 0.9), steady("psi", 0.1), true, "z ="],
    ["psi inside its history", m("psi", "drift", 0.1), steady("psi", 0.1), false, "within 3"],
    [
      "accuracy 10% worse",
      m("accuracy", "performance", 0.72),
      steady("accuracy", 0.8),
      true,
      "below the baseline",
    ],
    ["accuracy 10% better", m("accuracy", "performance", 0.88), steady("accuracy", 0.8), false, "within"],
    [
      "calibration error up 20%",
      m("calibration_error", "performance", 0.06),
      steady("calibration_error", 0.05),
      true,
      "above",
    ],
  ])("judges %s", (_, measurement, past, breached, words) => {
    const verdict = judge(measurement, past);
    expect(verdict.breached).toBe(breached);
    expect(verdict.reason).toContain(words);
  });

  it("compares lateness with the contract SLA in hours", () => {
    const late = judge(m("latency", "freshness", 300, "m"), [], { type: "freshness_breach" }, 4);
    expect(late.breached).toBe(true);
    expect(late.reason).toContain("latency = 5 is above the maximum 4");
    expect(judge(m("latency", "freshness", 2, "h"), [], { type: "freshness_breach" }, 4).breached).toBe(
      false,
    );
  });

  it("needs five points before a z-score can judge, and falls back to the signal's status", () => {
    const few = history("psi", [0.1, 0.1, 0.1]);
    const firing = judge(m("psi", "drift", 0.9), few);
    expect(firing.breached).toBe(true);
    expect(firing.reason).toContain("3 of 5 points needed");
    expect(judge(m("psi", "drift", 0.9), few, { status: "resolved" }).breached).toBe(false);
  });

  it("builds the baseline from healthy points only", () => {
    const past = history("rowCount", [10000, 10000, 10000, 100, 100, 100], [3, 4, 5]);
    const verdict = judge(m("rowCount", "volume", 100, "rows"), past);
    expect(verdict.breached).toBe(true);
    expect(verdict.reason).toContain("baseline 10000");
  });
});

describe("signal-provided limits and status", () => {
  it("treats a firing failed check as a breach whatever its value", () => {
    const verdict = judge(m("nullValues", "completeness", 0, "rows"), [], { type: "check_failed" });
    expect(verdict.breached).toBe(true);
    expect(
      judge(m("nullValues", "completeness", 17), [], { type: "check_failed", status: "resolved" }).breached,
    ).toBe(false);
  });

  it("uses the tool's own operator in the tool's unit", () => {
    const verdict = judge({
      ...m("invalidValues", "consistency", 10, "percent"),
      threshold: { mustBeLessOrEqualTo: 5 },
    });
    expect(verdict.breached).toBe(true);
    expect(verdict.reason).toBe("invalidValues = 10 is above the maximum 5");
    const between = judge({
      ...m("rowCount", "volume", 6000, "rows"),
      threshold: { mustBeBetween: [5000, 50000] },
    });
    expect(between.breached).toBe(false);
  });
});

describe("resolveThreshold from configuration", () => {
  const config = ConfigSchema.parse({
    signals: {
      thresholds: [
        { dataset: "*", metric: "completeness", max: 0.05 },
        { dataset: "fct_*", metric: "nullRate", max: 0.02 },
        { dataset: "fct_revenue", column: "revenue", metric: "nullRate", max: 0.001, consecutive: 3 },
        { dataset: "marts.*", column: "*_id", metric: "rowCount", relative: 0.1 },
      ],
    },
  });
  const resolve = (tableId: string, column: string | undefined, metric: string, kind: MetricKind) =>
    resolveThreshold({ config, tableId, column, metric, kind });

  it.each([
    ["fct_revenue", "revenue", "nullRate", 0.001],
    ["fct_revenue", "order_id", "nullRate", 0.02],
    ["fct_revenue", "order_id", "null_rate", 0.02],
    ["stg_payments", "amount", "nullRate", 0.05],
  ])("picks the most specific rule for %s.%s %s", (table, column, metric, max) => {
    const resolved = resolve(table, column, metric, "completeness");
    expect(resolved.from).toBe("config");
    expect(resolved.rule.max).toBe(max);
  });

  it.each([
    ["null_rate", undefined, "default"],
    ["missing_percent", undefined, "default"],
    ["missing_count", "count", "default"],
    ["not_null_rate", undefined, "config"],
    ["completeness", undefined, "config"],
  ])(
    "a family rule with min 0.99 judges %s only when it is a rate where higher is better",
    (metric, unit, from) => {
      const strict = ConfigSchema.parse({
        signals: { thresholds: [{ dataset: "orders", metric: "completeness", min: 0.99 }] },
      });
      const resolved = resolveThreshold({
        config: strict,
        tableId: "orders",
        metric,
        kind: "completeness",
        ...(unit ? { unit } : {}),
      });
      expect(resolved.from).toBe(from);
    },
  );

  it("a scale-free family rule (relative) judges every metric of the family", () => {
    const relative = ConfigSchema.parse({
      signals: { thresholds: [{ dataset: "orders", metric: "completeness", relative: 0.2 }] },
    });
    expect(
      resolveThreshold({
        config: relative,
        tableId: "orders",
        metric: "missing_count",
        kind: "completeness",
        unit: "count",
      }).from,
    ).toBe("config");
  });

  it("carries consecutive from the rule", () => {
    expect(resolve("fct_revenue", "revenue", "nullRate", "completeness").rule.consecutive).toBe(3);
  });

  it("falls back to the default when no rule matches", () => {
    const resolved = resolve("marts.orders", undefined, "rowCount", "volume");
    expect(resolved).toMatchObject({ from: "default", rule: { relative: 0.3 } });
  });

  it("has no default for freshness without an SLA", () => {
    expect(resolve("fct_revenue", undefined, "latency", "freshness").from).toBe("none");
  });
});
