import { describe, expect, it } from "vitest";
import { metricOfCheck } from "../../../src/core/signals/check-metric.js";
import { metricKindOf } from "../../../src/core/signals/signal-schema.js";

describe("metricKindOf", () => {
  it.each([
    ["nullValues", "completeness"],
    ["null_rate", "completeness"],
    ["completeness", "completeness"],
    ["missingValues", "completeness"],
    ["rowCount", "volume"],
    ["row_count", "volume"],
    ["latency", "freshness"],
    ["freshness_hours", "freshness"],
    ["lateness", "freshness"],
    ["accuracy", "performance"],
    ["AUC", "performance"],
    ["f1_score", "performance"],
    ["calibration_error", "performance"],
    ["psi", "drift"],
    ["kl_divergence", "drift"],
    ["ks_statistic", "drift"],
    ["feature_drift", "drift"],
    ["failed_checks", "consistency"],
    ["duplicateValues", "consistency"],
    ["referential_integrity", "consistency"],
    ["percentage_of_refunds", "custom"],
    ["received_amount", "custom"],
    ["revenue", "custom"],
  ])("classifies %s as %s", (name, kind) => {
    expect(metricKindOf(name)).toBe(kind);
  });
});

describe("metricOfCheck", () => {
  it.each([
    ["not_null", "nullValues"],
    ["expect_column_values_to_not_be_null", "nullValues"],
    ["unique", "duplicateValues"],
    ["relationships", "referentialIntegrity"],
    ["accepted_values", "invalidValues"],
    ["expect_column_values_to_be_between", "invalidValues"],
    ["expect_table_row_count_to_be_between", "rowCount"],
    ["expect_column_mean_to_be_between", "mean"],
    ["expect_column_kl_divergence_to_be_less_than", "klDivergence"],
    ["my_custom_test", "my_custom_test"],
  ])("maps %s to %s", (check, metric) => {
    expect(metricOfCheck(check)).toBe(metric);
  });
});
