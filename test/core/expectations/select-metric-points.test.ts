import { describe, expect, it } from "vitest";
import { selectMetricPoints } from "../../../src/core/expectations/select-metric-points.js";
import { metricPolarity } from "../../../src/core/signals/metric-polarity.js";

const at = (day: number) => `2026-11-${String(10 + day).padStart(2, "0")}T00:00:00Z`;
const evals = (...rows: Array<[string, number]>) =>
  rows.map(([metric, value], i) => ({ observedAt: at(i), metric, value }));

describe("selectMetricPoints", () => {
  it.each([
    {
      name: "a family name never reads the inverse metric (null_rate is not completeness)",
      metric: "completeness",
      evaluations: evals(["null_rate", 0.001], ["null_rate", 0.002]),
      values: [],
      mismatch: "`null_rate`, which does not read like `completeness`",
    },
    {
      name: "the exact metric name is used, whatever else the fingerprint carries",
      metric: "completeness",
      evaluations: evals(["null_rate", 0.001], ["completeness", 0.999], ["Completeness", 0.98]),
      values: [0.999, 0.98],
    },
    {
      name: "names compare without case or punctuation",
      metric: "null_rate",
      evaluations: evals(["nullRate", 0.01], ["NULL-RATE", 0.02]),
      values: [0.01, 0.02],
    },
    {
      name: "a family name reads the only metric of its family with the same polarity",
      metric: "completeness",
      evaluations: evals(["not_null_rate", 0.97], ["not_null_rate", 0.99]),
      values: [0.97, 0.99],
    },
    {
      name: "volume reads row_count (neither has a direction)",
      metric: "volume",
      evaluations: evals(["row_count", 1000], ["row_count", 1200]),
      values: [1000, 1200],
    },
    {
      name: "freshness reads lag (both lower is better)",
      metric: "freshness",
      evaluations: evals(["replication_lag", 2]),
      values: [2],
    },
    {
      name: "a family name with several metric names reads none of them",
      metric: "completeness",
      evaluations: evals(["not_null_rate", 0.99], ["completeness_pct", 99]),
      values: [],
      mismatch: "several metrics (`completeness_pct`, `not_null_rate`)",
    },
    {
      name: "a family name does not read a metric of another family",
      metric: "volume",
      evaluations: evals(["null_rate", 0.01]),
      values: [],
      mismatch: "which is not a volume metric",
    },
    {
      name: "a metric name that is not a family reads only itself",
      metric: "row_count",
      evaluations: evals(["volume", 10]),
      values: [],
      mismatch: "its signals carry `volume`, not `row_count`",
    },
    {
      name: "performance does not stand for accuracy (the family has no direction)",
      metric: "performance",
      evaluations: evals(["accuracy", 0.9]),
      values: [],
      mismatch: "`accuracy`, which does not read like `performance`",
    },
    {
      name: "no evaluations: no points and no mismatch",
      metric: "completeness",
      evaluations: [],
      values: [],
    },
  ])("$name", ({ metric, evaluations, values, mismatch }) => {
    const selection = selectMetricPoints({ metric, evaluations });
    expect(selection.points.map((p) => p.value)).toEqual(values);
    if (mismatch) expect(selection.mismatch).toContain(mismatch);
    else expect(selection.mismatch).toBeUndefined();
  });

  it("skips evaluations without a value and keeps their times", () => {
    const selection = selectMetricPoints({
      metric: "completeness",
      evaluations: [
        { observedAt: at(0), metric: "completeness" },
        { observedAt: at(1), metric: "completeness", value: 0.5 },
      ],
    });
    expect(selection.points).toEqual([{ observedAt: at(1), value: 0.5 }]);
    expect(selection.seen).toEqual(["completeness"]);
  });
});

describe("metricPolarity", () => {
  it.each([
    ["completeness", "up"],
    ["not_null_rate", "up"],
    ["null_rate", "down"],
    ["missing_values", "down"],
    ["invalid_count", "down"],
    ["validity", "up"],
    ["accuracy", "up"],
    ["rmse", "down"],
    ["freshness", "down"],
    ["row_count", "unknown"],
    ["template_count", "unknown"],
  ])("%s → %s", (metric, polarity) => {
    expect(metricPolarity(metric)).toBe(polarity);
  });
});

describe("selectMetricPoints units", () => {
  it("reads a completeness percent as the fraction an expectation is written in, and freshness in hours", () => {
    const at = "2026-11-20T00:00:00Z";
    expect(
      selectMetricPoints({
        metric: "null_rate",
        evaluations: [
          { observedAt: at, metric: "null_rate", value: 0.5, unit: "percent" },
          { observedAt: at, metric: "null_rate", value: 0.004 },
        ],
      }).points.map((p) => p.value),
    ).toEqual([0.005, 0.004]);
    expect(
      selectMetricPoints({
        metric: "latency",
        evaluations: [{ observedAt: at, metric: "latency", value: 90, unit: "min" }],
      }).points.map((p) => p.value),
    ).toEqual([1.5]);
  });
});
