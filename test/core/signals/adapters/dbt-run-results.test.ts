import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import { adaptDbtRunResults } from "../../../../src/core/signals/adapters/dbt-run-results.js";
import { targetFromName } from "../../../../src/core/signals/adapters/dbt-test-target.js";
import { ctx, loadSignalFixture, thrown } from "../fixture.js";

describe("adaptDbtRunResults", () => {
  it("names model and column from the manifest when it is sent along", () => {
    const signals = adaptDbtRunResults(loadSignalFixture("dbt-bundle.json"), ctx);
    const byRule = new Map(signals.map((s) => [s.check?.ruleId ?? s.dataset.dbtUniqueId, s]));
    const notNull = byRule.get("test.shop.not_null_orders_customer_id.5c1e8a2b3d");
    expect(notNull).toMatchObject({
      type: "check_failed",
      status: "firing",
      severity: "error",
      dataset: { name: "shop.main.orders", dbtUniqueId: "model.shop.orders" },
      column: "customer_id",
      measurement: { metric: "nullValues", value: 17, failingRows: 17 },
      observedAt: "2026-11-24T06:12:00.900Z",
    });
    expect(
      byRule.get("test.shop.accepted_values_orders_status__placed__shipped__completed.a9f1c2"),
    ).toMatchObject({
      severity: "warning",
      column: "status",
    });
    expect(byRule.get("test.shop.unique_orders_order_id.77aa01")?.status).toBe("resolved");
    expect(byRule.get("test.shop.source_not_null_raw_payments_id.99ee")?.dataset).toEqual({
      name: "shop.raw.payments",
      dbtUniqueId: "source.shop.raw.payments",
    });
    expect(byRule.get("model.shop.fct_revenue")?.type).toBe("run_failed");
  });

  it("ignores skipped tests and successful models", () => {
    const signals = adaptDbtRunResults(loadSignalFixture("dbt-run-results.json"), ctx);
    const ids = signals.map((s) => s.check?.ruleId ?? s.dataset.dbtUniqueId);
    expect(ids).not.toContain("test.shop.not_null_fct_revenue_amount.0b1c2d");
    expect(ids).not.toContain("model.shop.orders");
    expect(signals).toHaveLength(4);
  });

  it("guesses the model from compiled SQL without a manifest, and says so", () => {
    const signals = adaptDbtRunResults(loadSignalFixture("dbt-run-results.json"), ctx);
    const notNull = signals.find((s) => s.check?.type === "not_null");
    expect(notNull?.dataset.name).toBe("shop.main.orders");
    expect(notNull?.column).toBe("customer_id");
    expect(notNull?.message).toContain("manifest.json");
  });

  it.each([
    [
      "test.p.not_null_orders_customer_id.1",
      'select customer_id from "db"."main"."orders" where customer_id is null',
      "db.main.orders",
      "customer_id",
    ],
    ["test.p.unique_dim_users_user_id.2", undefined, "dim_users_user_id", undefined],
    [
      "test.p.accepted_values_orders_status__a__b.3",
      "select * from analytics.orders",
      "analytics.orders",
      "status",
    ],
    [
      "test.p.dbt_utils_expression_is_true_orders_x.4",
      "select 1 from analytics.orders",
      "analytics.orders",
      undefined,
    ],
  ])("reads %s best-effort", (id, sql, dataset, column) => {
    const target = targetFromName(id, sql);
    expect(target.datasetName).toBe(dataset);
    expect(target.column).toBe(column);
    expect(target.guessed).toBe(true);
  });

  it("turns source freshness results into freshness signals with dbt's own limit", () => {
    const [late, fresh] = adaptDbtRunResults(loadSignalFixture("dbt-sources.json"), ctx);
    expect(late).toMatchObject({
      type: "freshness_breach",
      status: "firing",
      severity: "error",
      dataset: { name: "raw.payments", dbtUniqueId: "source.shop.raw.payments" },
      measurement: { metric: "latency", value: 14, unit: "h", threshold: { mustBeLessOrEqualTo: 12 } },
    });
    expect(fresh?.status).toBe("resolved");
  });

  it("rejects a result without unique_id, naming where", () => {
    const error = thrown(() =>
      adaptDbtRunResults(loadSignalFixture("malformed/dbt-result-without-id.json"), ctx),
    );
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe("results.0.unique_id");
  });

  it("rejects a bundle whose run_results lack metadata", () => {
    const error = thrown(() =>
      adaptDbtRunResults({ run_results: { results: [] }, manifest: { nodes: {} } }, ctx),
    );
    expect((error as SignalError).path).toBe("run_results.metadata");
  });
});
