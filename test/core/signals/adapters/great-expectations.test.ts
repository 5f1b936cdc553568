import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import { adaptGreatExpectations } from "../../../../src/core/signals/adapters/great-expectations.js";
import { ctx, loadSignalFixture, thrown } from "../fixture.js";

describe("adaptGreatExpectations", () => {
  it("maps a GX 1.x validation result, one signal per expectation, keeping column and kwargs", () => {
    const signals = adaptGreatExpectations(loadSignalFixture("gx-validation-1x.json"), ctx);
    expect(signals.map((s) => [s.type, s.status, s.column])).toEqual([
      ["check_failed", "firing", "customer_id"],
      ["check_failed", "resolved", "order_id"],
      ["check_failed", "firing", undefined],
      ["run_failed", "firing", "email"],
    ]);
    const nulls = signals[0];
    expect(nulls?.dataset).toEqual({ namespace: "pg_warehouse", name: "public.orders" });
    expect(nulls?.severity).toBe("error");
    expect(nulls?.check?.ruleId).toBe("9f3c1d0e-6a1b-4c1e-8a77-2f0e0c9b1a11");
    expect(nulls?.measurement).toMatchObject({
      metric: "nullValues",
      value: 1.2,
      unit: "percent",
      failingRows: 12,
      threshold: { mustBeLessOrEqualTo: 1 },
    });
    expect(nulls?.observedAt).toBe("2026-11-24T06:00:12.123Z");
  });

  it("reads the observed row count against min_value and max_value", () => {
    const rows = adaptGreatExpectations(loadSignalFixture("gx-validation-1x.json"), ctx)[2];
    expect(rows?.severity).toBe("warning");
    expect(rows?.measurement).toMatchObject({
      metric: "rowCount",
      kind: "volume",
      value: 1000,
      threshold: { mustBeBetween: [5000, 50000] },
    });
  });

  it("maps a GX 0.x checkpoint result with expectation_type and batch_kwargs", () => {
    const signals = adaptGreatExpectations(loadSignalFixture("gx-checkpoint-0x.json"), ctx);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      dataset: { namespace: "warehouse", name: "marts.dim_customers" },
      column: "segment",
      check: { type: "expect_column_values_to_be_in_set" },
      measurement: { metric: "invalidValues", value: 10, threshold: { mustBeLessOrEqualTo: 5 } },
      observedAt: "2026-11-24T06:00:00.000Z",
    });
  });

  it("rejects an expectation without a type, naming where", () => {
    const error = thrown(() => adaptGreatExpectations(loadSignalFixture("malformed/gx-no-type.json"), ctx));
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe("results.0.expectation_config");
    expect((error as SignalError).message).toContain("expectation_type");
  });
});

describe("adaptGreatExpectations: the dataset of a batch without a table", () => {
  // Shapes of GX 0.15 (runtime data connector, pandas batch) and 1.x (fluent dataframe asset), as GX writes them.
  const result = {
    success: false,
    expectation_config: { type: "expect_column_values_to_not_be_null", kwargs: { column: "gender" } },
  };
  const suite = (meta: Record<string, unknown>) => ({
    success: false,
    suite_name: "stroke_data.warning",
    results: [result],
    meta,
  });

  it.each([
    [
      "GX 0.15 runtime batch: batch_spec without table_name",
      {
        great_expectations_version: "0.15.8",
        batch_spec: { data_asset_name: "stroke_data_csv", batch_data: "PandasDataFrame" },
        active_batch_definition: {
          datasource_name: "stroke_data",
          data_connector_name: "default_runtime_data_connector_name",
          data_asset_name: "stroke_data_csv",
          batch_identifiers: { default_identifier_name: "default_identifier" },
        },
      },
      { namespace: "stroke_data", name: "stroke_data_csv" },
    ],
    [
      "GX 1.x fluent dataframe asset",
      {
        great_expectations_version: "1.23.2",
        batch_spec: { batch_data: "PandasDataFrame" },
        active_batch_definition: {
          batch_identifiers: { dataframe: "<DATAFRAME>" },
          data_asset_name: "papers_asset",
          data_connector_name: "fluent",
          datasource_name: "papers_source",
        },
      },
      { namespace: "papers_source", name: "papers_asset" },
    ],
    [
      "a file asset known only by batch_spec's data asset",
      { batch_spec: { path: "/data/taxi_data_1.csv", data_asset_name: "taxi_data_1.csv" } },
      { name: "taxi_data_1.csv" },
    ],
    [
      "a batch that names nothing (the suite name is the last resort)",
      { batch_spec: { batch_data: "PandasDataFrame" } },
      { name: "stroke_data.warning" },
    ],
  ])("%s", (_, meta, dataset) => {
    const [signal] = adaptGreatExpectations(suite(meta), ctx);
    expect(signal?.dataset).toEqual(dataset);
  });

  it("keeps the valid expectation results and skips a malformed one with its path", () => {
    const skipped: Array<{ path: string; reason: string }> = [];
    const signals = adaptGreatExpectations(
      {
        ...suite({ active_batch_definition: { data_asset_name: "orders" } }),
        results: [result, { success: "yes" }],
      },
      { ...ctx, skip: (item) => skipped.push(item) },
    );
    expect(signals).toHaveLength(1);
    expect(skipped.map((s) => s.path)).toEqual(["results.1.success"]);
  });
});
