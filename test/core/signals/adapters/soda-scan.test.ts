import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import {
  adaptSodaScan,
  sodaMetricOf,
  thresholdOfBadZone,
} from "../../../../src/core/signals/adapters/soda-scan.js";
import { ctx, thrown } from "../fixture.js";
import { sodaScan } from "../fixtures/soda-scan.js";

const copy = () => structuredClone(sodaScan);

describe("adaptSodaScan", () => {
  const signals = adaptSodaScan(sodaScan, ctx);
  const byRule = (identity: string) => signals.find((s) => s.check?.ruleId === identity);

  it("makes one signal per evaluated check and skips a check without outcome", () => {
    expect(signals.map((s) => [s.check?.ruleId, s.status, s.severity])).toEqual([
      ["3f9c2a71", "firing", "error"],
      ["b2d04e18", "firing", "warning"],
      ["0c77e5a9", "resolved", "info"],
      ["71e0b3cd", "firing", "error"],
      ["9a41f602", "firing", "error"],
    ]);
  });

  it("names the dataset by table in the data source's namespace, with the column and when the data was", () => {
    expect(byRule("3f9c2a71")).toMatchObject({
      source: { kind: "soda", name: "ci", runId: "shop_daily" },
      dataset: { namespace: "shop_dwh", name: "fct_orders" },
      column: "customer_id",
      observedAt: "2026-11-24T06:00:00.000Z",
      type: "check_failed",
      check: { name: "missing_count(customer_id) = 0", type: "missing_count" },
      measurement: { metric: "nullValues", kind: "completeness", value: 37, unit: "rows", failingRows: 37 },
    });
  });

  it.each([
    ["3f9c2a71", { mustBe: 0 }],
    ["b2d04e18", { mustBeLessOrEqualTo: 1 }],
    ["0c77e5a9", { mustBeBetween: [1000, 50000] }],
  ])("reads check %s's threshold from the bad zone Soda reports", (identity, threshold) => {
    expect(byRule(identity)?.measurement?.threshold).toEqual(threshold);
  });

  it("reports freshness in hours against the line's limit, without the timestamp column", () => {
    const fresh = byRule("71e0b3cd");
    expect(fresh?.type).toBe("freshness_breach");
    expect(fresh?.column).toBeUndefined();
    expect(fresh?.measurement).toEqual({
      metric: "latency",
      kind: "freshness",
      value: 36,
      unit: "h",
      threshold: { mustBeLessOrEqualTo: 24 },
    });
  });

  it("turns a failing schema check into a schema change with the missing and retyped columns", () => {
    const schema = byRule("9a41f602");
    expect(schema?.type).toBe("schema_change");
    expect(schema?.measurement).toBeUndefined();
    expect(schema?.dataset.name).toBe("dim_customers");
    expect(schema?.schemaChange?.changes).toEqual([
      { kind: "column_removed", column: "customer_segment" },
      { kind: "type_changed", column: "lifetime_value", from: "numeric", to: "text" },
    ]);
  });

  it("keeps ids stable across redeliveries and apart across scans", () => {
    const again = adaptSodaScan(copy(), {
      ...ctx,
      deliveryId: "retry",
      receivedAt: new Date("2026-11-26T00:00:00Z"),
    });
    expect(again.map((s) => s.id)).toEqual(signals.map((s) => s.id));
    const next = { ...copy(), scanStartTimestamp: "2026-11-25T06:00:03+00:00" };
    const nextIds = new Set(adaptSodaScan(next, ctx).map((s) => s.id));
    expect(signals.some((s) => nextIds.has(s.id))).toBe(false);
  });

  it("falls back to scanEndTimestamp and to the definition's table", () => {
    const body = copy();
    const [first] = body.checks;
    if (!first) throw new Error("fixture has checks");
    const scan = { ...body, dataTimestamp: null, checks: [{ ...first, table: null }] };
    const [signal] = adaptSodaScan(scan, ctx);
    expect(signal?.observedAt).toBe("2026-11-24T06:00:41.000Z");
    expect(signal?.dataset.name).toBe("fct_orders");
  });

  it("rejects checks that are not a list, naming where", () => {
    const error = thrown(() => adaptSodaScan({ definitionName: "x", checks: "none" }, ctx));
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe("checks");
    expect((error as SignalError).message).toContain("Soda scan result");
  });

  it("never crashes on arbitrary JSON: signals or a SignalError", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        try {
          expect(Array.isArray(adaptSodaScan(body, ctx))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(SignalError);
        }
      }),
    );
  });

  it("never crashes on arbitrary checks inside a scan", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.constantFrom(...Object.keys(sodaScan.checks[0] ?? {})), fc.jsonValue())),
        (checks) => {
          try {
            adaptSodaScan({ ...copy(), checks }, ctx);
          } catch (error) {
            expect(error).toBeInstanceOf(SignalError);
          }
        },
      ),
    );
  });
});

describe("sodaMetricOf", () => {
  it.each([
    ["missing_count(id) = 0", "nullValues", "completeness"],
    ["missing_percent(email) < 1%", "nullValues", "completeness"],
    ["row_count > 0", "rowCount", "volume"],
    ["freshness(created_at) < 1d", "latency", "freshness"],
    ["duplicate_count(order_id) = 0", "duplicateValues", "consistency"],
    ["invalid_percent(status) < 1 %", "invalidValues", "consistency"],
    [
      "values in (customer_id) must exist in dim_customers (customer_id)",
      "referentialIntegrity",
      "consistency",
    ],
    ["failed rows", "failedRows", "consistency"],
    ["anomaly detection for row_count", "anomaly_row_count", "drift"],
    ["anomaly score for missing_count(id) < default", "anomaly_missing_count", "drift"],
    ["distribution_difference(amount) > 0.05", "distributionDifference", "drift"],
    ["avg(amount) between 10 and 100", "avg", "custom"],
    ["schema", "schema", "custom"],
  ])("maps %s to %s (%s)", (line, metric, kind) => {
    expect(sodaMetricOf(line)).toMatchObject({ metric, kind });
  });
});

describe("thresholdOfBadZone", () => {
  it.each([
    [{ greaterThan: 0 }, { mustBeLessOrEqualTo: 0 }],
    [{ greaterThanOrEqual: 5 }, { mustBeLessThan: 5 }],
    [{ lessThan: 10 }, { mustBeGreaterOrEqualTo: 10 }],
    [{ lessThanOrEqual: 10 }, { mustBeGreaterThan: 10 }],
    [{ greaterThan: 0, lessThan: 0 }, { mustBe: 0 }],
    [{ greaterThanOrEqual: 3, lessThanOrEqual: 3 }, { mustNotBe: 3 }],
    [{ greaterThan: 20, lessThan: 10 }, { mustBeBetween: [10, 20] }],
    [{ greaterThanOrEqual: 10, lessThanOrEqual: 20 }, { mustNotBeBetween: [10, 20] }],
    [{ greaterThan: "1 day, 0:00:00" }, undefined],
    [null, undefined],
  ])("turns the bad zone %j into %j", (zone, expected) => {
    expect(thresholdOfBadZone(zone)).toEqual(expected);
  });
});
