import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import { adaptElementaryAlert } from "../../../../src/core/signals/adapters/elementary-alert.js";
import { ctx, thrown } from "../fixture.js";
import {
  elementaryModelError,
  elementaryNotNull,
  elementarySourceFreshness,
  elementaryTypeChange,
  elementaryVolumeAnomaly,
} from "../fixtures/elementary-alerts.js";

const all = [
  elementaryNotNull,
  elementaryVolumeAnomaly,
  elementaryTypeChange,
  elementarySourceFreshness,
  elementaryModelError,
];

describe("adaptElementaryAlert", () => {
  const signals = adaptElementaryAlert(all, ctx);

  it("makes one signal per alert in a list, each with its type, status and severity", () => {
    expect(signals.map((s) => [s.type, s.status, s.severity, s.dataset.name, s.column])).toEqual([
      ["check_failed", "firing", "error", "analytics.marts.fct_orders", "customer_id"],
      ["metric_breach", "firing", "warning", "analytics.marts.fct_orders", undefined],
      ["schema_change", "firing", "error", "analytics.marts.dim_customers", "lifetime_value"],
      ["freshness_breach", "firing", "error", "raw.orders", undefined],
      ["run_failed", "firing", "error", "analytics.staging.stg_payments", undefined],
    ]);
  });

  it("keeps the dbt ids so the dataset matches by model and the test is the rule", () => {
    expect(signals[0]).toMatchObject({
      source: { kind: "elementary", name: "ci" },
      dataset: { dbtUniqueId: "model.shop.fct_orders" },
      check: {
        name: "not_null_fct_orders_customer_id",
        ruleId: "test.shop.not_null_fct_orders_customer_id.5e2a1c",
        type: "not_null",
      },
      measurement: { metric: "nullValues", kind: "completeness", value: 37, unit: "rows", failingRows: 37 },
      observedAt: "2026-11-24T06:02:11.000Z",
    });
    expect(signals[3]?.dataset.dbtUniqueId).toBe("source.shop.raw.orders");
  });

  it.each([
    ["row_count", "volume"],
    ["null_percent", "completeness"],
    ["freshness", "freshness"],
    ["event_freshness", "freshness"],
    ["average", "drift"],
    ["standard_deviation", "drift"],
  ])("gives an anomaly on %s the kind %s", (subType, kind) => {
    const [signal] = adaptElementaryAlert({ ...elementaryVolumeAnomaly, test_sub_type: subType }, ctx);
    expect(signal?.measurement).toMatchObject({ metric: subType, kind });
  });

  it("reads the anomalous value from Elementary's description", () => {
    expect(signals[1]?.measurement).toMatchObject({ metric: "row_count", kind: "volume", value: 1210 });
    const freshness = {
      ...elementaryVolumeAnomaly,
      test_sub_type: "freshness",
      test_results_description:
        "Last update was at 2026-11-22 18:00:00, which is36.0 hours without updates (only full buckets are considered). usually the table is updated within 6.5 hours.",
    };
    const [signal] = adaptElementaryAlert(freshness, ctx);
    expect(signal?.type).toBe("freshness_breach");
    expect(signal?.measurement).toMatchObject({ kind: "freshness", value: 36, unit: "h" });
  });

  it.each([
    [
      "column_added",
      'The column "coupon_code" was added',
      { kind: "column_added", column: "lifetime_value" },
    ],
    [
      "column_removed",
      'The column "lifetime_value" was removed',
      { kind: "column_removed", column: "lifetime_value" },
    ],
    [
      "type_changed",
      'The type of "lifetime_value" was changed from numeric to text',
      { kind: "type_changed", column: "lifetime_value", from: "numeric", to: "text" },
    ],
  ])("carries a %s schema change", (subType, description, change) => {
    const alert = { ...elementaryTypeChange, test_sub_type: subType, test_results_description: description };
    const [signal] = adaptElementaryAlert(alert, ctx);
    expect(signal?.schemaChange?.changes).toEqual([change]);
    expect(signal?.measurement).toBeUndefined();
  });

  it.each([
    ["fail", "check_failed", "firing", "error"],
    ["warn", "check_failed", "firing", "warning"],
    ["error", "run_failed", "firing", "error"],
    ["pass", "check_failed", "resolved", "info"],
  ])("maps status %s to %s / %s / %s", (status, type, firing, severity) => {
    const [signal] = adaptElementaryAlert({ ...elementaryNotNull, status }, ctx);
    expect([signal?.type, signal?.status, signal?.severity]).toEqual([type, firing, severity]);
  });

  it("takes the severity when an alert has no status", () => {
    const { status: _, ...withoutStatus } = elementaryNotNull;
    const [signal] = adaptElementaryAlert({ ...withoutStatus, severity: "WARN" }, ctx);
    expect(signal?.severity).toBe("warning");
  });

  it("converts the source's time since last load to hours", () => {
    expect(signals[3]?.measurement).toEqual({ metric: "latency", kind: "freshness", value: 36, unit: "h" });
  });

  it("keys ids on the alert id and detection time, so a re-sent alert dedupes", () => {
    const again = adaptElementaryAlert(structuredClone(all), { ...ctx, deliveryId: "retry" });
    expect(again.map((s) => s.id)).toEqual(signals.map((s) => s.id));
    const [single] = adaptElementaryAlert(elementaryNotNull, ctx);
    expect(single?.id).toBe(signals[0]?.id);
    const [later] = adaptElementaryAlert({ ...elementaryNotNull, detected_at: "2026-11-25 06:02:11" }, ctx);
    expect(later?.id).not.toBe(signals[0]?.id);
  });

  it("asks for a test, model or source id, naming the item", () => {
    const error = thrown(() => adaptElementaryAlert([elementaryNotNull, { id: "x", status: "fail" }], ctx));
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe("1");
    expect((error as SignalError).message).toContain("test_unique_id");
  });

  it("rejects an empty list", () => {
    expect((thrown(() => adaptElementaryAlert([], ctx)) as SignalError).status).toBe(400);
  });

  it("never crashes on arbitrary JSON: signals or a SignalError", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        try {
          expect(Array.isArray(adaptElementaryAlert(body, ctx))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(SignalError);
        }
      }),
    );
  });

  it("never crashes on alerts with arbitrary values in Elementary's fields", () => {
    const keys = Object.keys({ ...elementaryNotNull, ...elementarySourceFreshness, ...elementaryModelError });
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()), { minLength: 1 }),
        (alerts) => {
          try {
            adaptElementaryAlert(alerts, ctx);
          } catch (error) {
            expect(error).toBeInstanceOf(SignalError);
          }
        },
      ),
    );
  });
});
