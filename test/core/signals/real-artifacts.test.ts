import { describe, expect, it } from "vitest";
import { adaptSignals } from "../../../src/core/signals/detect-format.js";
import { MAX_MESSAGE_CHARS, type Signal } from "../../../src/core/signals/signal-schema.js";
import { ctx, loadSignalFixture } from "./fixture.js";

// Artifacts copied unchanged from public repositories; test/fixtures/signals/real/README.md cites each
// source (repository, path, commit). Expected values below were read off the files themselves.
const DBT_1_0 =
  "dbt-1.0.0-run_results.yu-iskw-dbt-artifacts-parser-tests-resources-run_results-v4-jaffle_shop.json";
const DBT_1_5_6 = "dbt-1.5.6-run_results.FRnathanmeek-airflow-dbt-demo-dbt-target.json";
const DBT_1_5 = "dbt-1.5.0-run_results.AshHimself-dataproducts_with_dbt-target.json";
const DBT_1_8_5 = "dbt-1.8.5-run_results.OpenLineage-integration-common-tests-dbt-no_test_metadata.json";
const DBT_1_9_4_TEST = "dbt-1.9.4-run_results.Anwaribra-AdInsight360-target-test.json";
const DBT_1_9_4_RUN = "dbt-1.9.4-run_results.Anwaribra-AdInsight360-target-run.json";
const DBT_1_9 =
  "dbt-1.9.0-run_results.yu-iskw-dbt-artifacts-parser-tests-resources-run_results-v6-jaffle_shop.json";
const GX_ASSET =
  "gx-0.18.21-validation_result.Aires-Observer-study_great_expectations-volume-result-test_result_02.json";
const GX_1_3 =
  "gx-1.3.0-validation_result.alessandrarota-eni-mesh-adoption-quality-quality-sidecar-README.json";
const GX_NO_BATCH =
  "gx-0.18.21-validation_result.Aires-Observer-study_great_expectations-volume-result-test_result_01.json";

function adapt(file: string): { signals: Signal[]; skipped: { path: string; reason: string }[] } {
  const skipped: { path: string; reason: string }[] = [];
  const signals = adaptSignals(loadSignalFixture(`real/${file}`), { ...ctx, skip: (s) => skipped.push(s) });
  return { signals, skipped };
}

const count = (signals: Signal[], status: Signal["status"], type: Signal["type"] = "check_failed") =>
  signals.filter((s) => s.status === status && s.type === type).length;

describe("real dbt run_results.json of dbt 1.0, 1.5, 1.8 and 1.9", () => {
  it.each([
    // file, signals, passing tests (resolved), failing tests (firing), errored models (run_failed)
    [DBT_1_0, 21, 20, 0, 1],
    [DBT_1_5, 25, 25, 0, 0],
    [DBT_1_8_5, 20, 18, 2, 0],
    [DBT_1_9, 20, 20, 0, 0],
    [DBT_1_9_4_TEST, 10, 8, 0, 2],
    [DBT_1_9_4_RUN, 1, 0, 0, 1],
  ])(
    "%s gives %i signals: %i resolved, %i firing tests, %i failed models",
    (file, total, passed, failed, errored) => {
      const { signals } = adapt(file);
      expect(signals).toHaveLength(total);
      expect(count(signals, "resolved")).toBe(passed);
      expect(count(signals, "firing")).toBe(failed);
      expect(count(signals, "firing", "run_failed")).toBe(errored);
      expect(signals.every((s) => s.source.kind === "dbt")).toBe(true);
    },
  );

  it("dbt 1.9: names each test's table and column from its compiled SQL; models, seeds and hooks give nothing", () => {
    const { signals, skipped } = adapt(DBT_1_9);
    expect(skipped).toEqual([]);
    expect(signals.every((s) => s.source.producer === "dbt 1.9.0")).toBe(true);
    const t = (table: string) => `your-project.jaffle_shop.${table}`;
    expect(signals.map((s) => [s.dataset.name, s.column, s.check?.type])).toEqual([
      [t("stg_orders"), "order_id", "not_null"],
      [t("stg_customers"), "customer_id", "not_null"],
      [t("stg_orders"), "order_id", "unique"],
      [t("stg_customers"), "customer_id", "unique"],
      [t("stg_orders"), "status", "accepted_values"],
      [t("stg_payments"), "payment_id", "not_null"],
      [t("stg_payments"), "payment_method", "accepted_values"],
      [t("stg_payments"), "payment_id", "unique"],
      [t("customers"), "customer_id", "not_null"],
      [t("customers"), "customer_id", "unique"],
      [t("orders"), "customer_id", "not_null"],
      [t("orders"), "bank_transfer_amount", "not_null"],
      [t("orders"), "coupon_amount", "not_null"],
      [t("orders"), "gift_card_amount", "not_null"],
      [t("orders"), "amount", "not_null"],
      [t("orders"), "order_id", "not_null"],
      [t("orders"), "credit_card_amount", "not_null"],
      [t("orders"), "status", "accepted_values"],
      [t("orders"), "order_id", "unique"],
      [t("orders"), "customer_id", "relationships"],
    ]);
    expect(signals[0]).toMatchObject({
      status: "resolved",
      check: { ruleId: "test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64" },
      measurement: { value: 0, failingRows: 0 },
      observedAt: "2024-12-16T07:45:12.614Z",
    });
  });

  it("dbt 1.5 without compiled SQL or manifest: the test name's remainder is the dataset, flagged as guessed", () => {
    const { signals, skipped } = adapt(DBT_1_5);
    expect(skipped).toEqual([]);
    expect(signals.every((s) => s.source.producer === "dbt 1.5.0" && s.status === "resolved")).toBe(true);
    expect(signals.every((s) => s.column === undefined && /guessed from the test name/.test(s.message))).toBe(
      true,
    );
    expect(signals.filter((s) => s.check?.type === "not_null")).toHaveLength(18);
    expect(signals.filter((s) => s.check?.type === "unique")).toHaveLength(6);
    expect(signals.find((s) => s.check?.type === "relationships")?.dataset.name).toBe("stg_album_artist_id");
    expect(signals[0]).toMatchObject({
      dataset: { name: "dim_track_track_id" },
      check: { ruleId: "test.dbt_duckdb_chinook.not_null_dim_track_track_id.a7ee3ef1bc" },
      observedAt: "2024-07-03T13:40:49.108Z",
    });
  });

  it("dbt 1.0: a model that errored is a run_failed on that model, next to the passing tests", () => {
    const { signals } = adapt(DBT_1_0);
    const failed = signals.filter((s) => s.type === "run_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      status: "firing",
      severity: "error",
      dataset: { name: "test_insert_overwrite", dbtUniqueId: "model.jaffle_shop.test_insert_overwrite" },
    });
    expect(signals.filter((s) => s.type === "check_failed").every((s) => s.status === "resolved")).toBe(true);
  });

  it("dbt 1.5.6: a model that failed on Spark is one run_failed, its long error kept within the message cap", () => {
    const { signals, skipped } = adapt(DBT_1_5_6);
    expect(skipped).toEqual([]);
    expect(signals).toHaveLength(1);
    const [failed] = signals;
    expect(failed).toMatchObject({
      type: "run_failed",
      status: "firing",
      severity: "error",
      dataset: { name: "issues_staged", dbtUniqueId: "model.hush_sound.issues_staged" },
      source: { kind: "dbt", producer: "dbt 1.5.6", runId: "356154f6-34c5-4550-b8b5-6217dee8e71b" },
      // no timing entries: the run's generated_at dates it
      observedAt: "2023-08-23T21:19:51.339Z",
    });
    expect(
      failed?.message.startsWith(
        "model.hush_sound.issues_staged failed: Runtime Error in model issues_staged",
      ),
    ).toBe(true);
    expect(failed?.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  });

  it("dbt 1.9.4 on Snowflake: tests that errored are run_failed on their table and column, the passing ones resolve", () => {
    const { signals, skipped } = adapt(DBT_1_9_4_TEST);
    expect(skipped).toEqual([]);
    const errored = signals.filter((s) => s.type === "run_failed");
    expect(errored.map((s) => [s.status, s.severity, s.check?.ruleId])).toEqual([
      [
        "firing",
        "error",
        "test.adinsight.dbt_utils_expression_is_true_marketing_insights_total_posts___0.cd9e2c0c36",
      ],
      ["firing", "error", "test.adinsight.not_null_marketing_insights_dimension.d7bb46140b"],
    ]);
    expect(errored[0]?.message).toMatch(/Compilation Error in test .*'dbt_utils' is undefined/s);
    expect(errored[1]).toMatchObject({
      dataset: { name: "adinsight_db.public.marketing_insights" },
      column: "dimension",
      observedAt: "2025-05-17T23:58:31.782Z",
    });
    expect(errored[1]?.message).toMatch(/Timestamp 'AutoModerator' is not recognized/);
    const passed = signals.filter((s) => s.status === "resolved");
    expect(new Set(passed.map((s) => s.dataset.name))).toEqual(
      new Set(["adinsight_db.public.marketing_insights", "adinsight_db.public_analytics.stg_reddit_posts"]),
    );
    expect(passed.map((s) => s.column)).toEqual([
      "metric_type",
      "total_posts",
      "id",
      "created_utc",
      "metric_type",
      "title",
      "loaded_at",
      "id",
    ]);
  });

  it("dbt 1.9.4: the model that errored is a run_failed; the model skipped after it gives nothing", () => {
    const { signals } = adapt(DBT_1_9_4_RUN);
    expect(signals.map((s) => [s.type, s.status, s.dataset.dbtUniqueId])).toEqual([
      ["run_failed", "firing", "model.adinsight.stg_reddit_posts"],
    ]);
    expect(signals[0]?.message).toMatch(/^model\.adinsight\.stg_reddit_posts failed: Database Error/);
  });

  it("dbt 1.8.5: a failing test whose `failures` is a string still fires; only the result without an id is skipped", () => {
    const { signals, skipped } = adapt(DBT_1_8_5);
    expect(skipped.map((s) => s.path)).toEqual(["results.20.unique_id"]);
    const firing = signals.filter((s) => s.status === "firing");
    expect(firing.map((s) => [s.check?.ruleId, s.check?.type, s.measurement?.failingRows])).toEqual([
      ["test.jaffle_shop.unique_customers_customer_id.d48e126d80", "unique", 1],
      ["test.jaffle_shop.not_null_customers_customer_id.923d2d910a", "not_null", undefined],
    ]);
    expect(firing.every((s) => s.dataset.name === "customers_customer_id" && s.severity === "error")).toBe(
      true,
    );
  });
  it("reads a numeric string in `failures` as the count, and ignores any other non-number", () => {
    const body = loadSignalFixture(`real/${DBT_1_8_5}`) as { results: Record<string, unknown>[] };
    const [first, second] = body.results;
    const results = [
      { ...first, failures: "3" },
      { ...second, failures: { rows: 2 } },
    ];
    const signals = adaptSignals({ ...body, results }, ctx);
    expect(signals.map((s) => [s.status, s.measurement?.failingRows])).toEqual([
      ["firing", 3],
      ["firing", undefined],
    ]);
  });
});

describe("real Great Expectations 0.18 validation results", () => {
  it("a fluent pandas batch without a table: the dataset is the data asset, not the suite", () => {
    const { signals, skipped } = adapt(GX_ASSET);
    expect(skipped).toEqual([]);
    expect(signals).toHaveLength(12);
    expect(count(signals, "firing")).toBe(6);
    expect(count(signals, "resolved")).toBe(6);
    for (const s of signals) {
      expect(s.dataset).toEqual({ namespace: "test_02_pandas_data_source", name: "test_02_asset" });
      expect(s.dataset.name).not.toBe("test_02_suite");
      expect(s.source).toMatchObject({ kind: "great-expectations", producer: "0.18.21" });
      expect(s.observedAt).toBe("2025-08-05T02:26:49.836Z");
    }
    expect(signals.map((s) => [s.status, s.column, s.check?.type])).toEqual([
      ["resolved", "price", "expect_column_values_to_not_be_null"],
      ["firing", "price", "expect_column_values_to_be_between"],
      ["firing", "price", "expect_column_mean_to_be_between"],
      ["firing", "payment_method", "expect_column_values_to_not_be_null"],
      ["resolved", "payment_method", "expect_column_values_to_be_in_set"],
      ["resolved", "order_id", "expect_column_values_to_be_unique"],
      ["firing", "status", "expect_column_values_to_be_unique"],
      ["resolved", "status", "expect_column_values_to_be_in_set"],
      ["firing", "status", "expect_column_values_to_not_be_in_set"],
      ["firing", "discount", "expect_column_values_to_be_between"],
      ["resolved", "product_id", "expect_column_mean_to_be_between"],
      ["resolved", "city", "expect_column_values_to_not_be_in_set"],
    ]);
    expect(signals[1]?.measurement).toMatchObject({ value: 50, unit: "percent", failingRows: 15 });
    expect(signals[2]?.measurement?.value).toBeCloseTo(222.1063333333333, 9);
    expect(signals[3]?.measurement).toMatchObject({ value: 13.333333333333334, failingRows: 4 });
  });

  it("a legacy batch whose batch_kwargs name nothing but an id falls back to the suite name", () => {
    const { signals, skipped } = adapt(GX_NO_BATCH);
    expect(skipped).toEqual([]);
    expect(signals).toHaveLength(23);
    expect(count(signals, "firing")).toBe(11);
    expect(count(signals, "resolved")).toBe(12);
    expect(signals.every((s) => s.dataset.name === "default" && s.dataset.namespace === undefined)).toBe(
      true,
    );
    const table = signals.filter((s) => s.column === undefined);
    expect(table.map((s) => [s.status, s.check?.type, s.measurement?.value])).toEqual([
      ["resolved", "expect_table_row_count_to_be_between", 30],
      ["firing", "expect_table_column_count_to_be_between", 10],
    ]);
    expect(signals.find((s) => s.column === "pay_date")).toMatchObject({
      status: "firing",
      check: { type: "expect_column_to_exist" },
    });
  });

  it("the same result inside a checkpoint result keeps the data asset as the dataset", () => {
    const validation = loadSignalFixture(`real/${GX_ASSET}`);
    const checkpoint = {
      run_id: { run_name: null, run_time: "2025-08-05T02:26:49.836390+00:00" },
      run_results: {
        "ValidationResultIdentifier::test_02_suite/run/2025": { validation_result: validation },
      },
    };
    const signals = adaptSignals(checkpoint, { ...ctx, hint: "great-expectations" });
    expect(signals).toHaveLength(12);
    expect(signals.every((s) => s.dataset.name === "test_02_asset")).toBe(true);
  });
});

describe("a real Great Expectations 1.3 validation result", () => {
  it("maps each expectation to the data asset (not the suite), with its own status, column and value", () => {
    const { signals, skipped } = adapt(GX_1_3);
    expect(skipped).toEqual([]);
    expect(signals.map((s) => [s.status, s.column, s.check?.type, s.measurement?.value])).toEqual([
      ["resolved", "vendor_id", "expect_column_values_to_not_be_null", 0],
      ["firing", "passenger_count", "expect_column_values_to_be_between", 6.67],
      ["resolved", "pickup_datetime", "expect_column_values_to_match_regex", 0],
    ]);
    for (const s of signals) {
      // suite_name is "dataSourceSample-dataAssetSample"; the batch has no table.
      expect(s.dataset).toEqual({ namespace: "dataSourceSample", name: "dataAssetSample" });
      expect(s.source).toMatchObject({ kind: "great-expectations", producer: "1.3.0" });
    }
    expect(signals[1]).toMatchObject({
      type: "check_failed",
      check: { ruleId: "66382b9d-3214-41d7-a182-30becda19fc1" },
      measurement: { unit: "percent", failingRows: 667, threshold: { mustBeLessOrEqualTo: 0 } },
    });
  });

  it("without run_id or validation_time, the batch load time dates the signals and tells runs apart", () => {
    const first = loadSignalFixture(`real/${GX_1_3}`) as { meta: Record<string, unknown> };
    const [a] = adaptSignals(first, ctx);
    expect(a?.observedAt).toBe("2025-01-28T09:58:53.440Z");
    expect(a?.source.runId).toBe("35b060ac-db19-4531-a6e1-b402b0f60f24/20250128T095853.440943Z");
    // The same README shows a second run of this validation, identical but for its load time.
    const second = {
      ...first,
      meta: { ...first.meta, batch_markers: { ge_load_time: "20250128T095853.702507Z" } },
    };
    const [b] = adaptSignals(second, ctx);
    expect(b?.observedAt).toBe("2025-01-28T09:58:53.702Z");
    expect(b?.id).not.toBe(a?.id);
    expect(adaptSignals(first, ctx)[0]?.id).toBe(a?.id);
  });
});
