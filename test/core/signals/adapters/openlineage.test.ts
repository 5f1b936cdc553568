import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import { adaptOpenLineage } from "../../../../src/core/signals/adapters/openlineage.js";
import { ctx, loadSignalFixture, thrown } from "../fixture.js";

describe("adaptOpenLineage", () => {
  it("turns each dbt assertion into a check signal keyed by dataset and column", () => {
    const signals = adaptOpenLineage(loadSignalFixture("openlineage-dbt-assertions.json"), ctx);
    expect(signals.map((s) => [s.column, s.status, s.severity])).toEqual([
      ["customer_id", "firing", "error"],
      ["email", "resolved", "error"],
      ["segment", "firing", "warning"],
    ]);
    const first = signals[0];
    expect(first?.dataset).toEqual({
      namespace: "postgres://warehouse:5432",
      name: "shop.public.dim_customers",
    });
    expect(first?.measurement).toMatchObject({ metric: "nullValues", kind: "completeness", value: 17 });
    expect(first?.observedAt).toBe("2026-11-25T06:00:00.000Z");
    expect(first?.source).toMatchObject({
      kind: "openlineage",
      name: "ci",
      runId: "0194f3a2-7c1e-7d55-9a41-3f2b8c6d1e07",
    });
  });

  it("computes the null rate per column from nullCount and rowCount", () => {
    const signals = adaptOpenLineage(loadSignalFixture("openlineage-metrics.json"), ctx);
    const nulls = signals.find((s) => s.column === "customer_id" && s.measurement?.metric === "nullRate");
    expect(nulls?.measurement).toMatchObject({
      value: 0.025,
      unit: "ratio",
      failingRows: 500,
      kind: "completeness",
    });
    const rows = signals.find((s) => s.measurement?.metric === "rowCount");
    expect(rows?.measurement).toMatchObject({ value: 20000, kind: "volume" });
    expect(rows?.status).toBe("resolved");
  });

  it("derives lateness in hours from lastUpdated", () => {
    const signals = adaptOpenLineage(loadSignalFixture("openlineage-metrics.json"), ctx);
    const fresh = signals.find((s) => s.type === "freshness_breach");
    expect(fresh?.measurement).toMatchObject({ metric: "latency", kind: "freshness", value: 3, unit: "h" });
  });

  it("reports a FAIL event as run_failed on each output with the error message", () => {
    const signals = adaptOpenLineage(loadSignalFixture("openlineage-fail.json"), ctx);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      type: "run_failed",
      status: "firing",
      dataset: { name: "shop.marts.fct_revenue" },
    });
    expect(signals[0]?.message).toContain("stg_payments");
  });

  it("gives the same ids when the same event is delivered twice", () => {
    const body = loadSignalFixture("openlineage-metrics.json");
    const a = adaptOpenLineage(body, ctx).map((s) => s.id);
    const b = adaptOpenLineage(body, {
      ...ctx,
      deliveryId: "other",
      receivedAt: new Date("2027-01-01T00:00:00Z"),
    }).map((s) => s.id);
    expect(b).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
  });

  it.each([
    ["openlineage-missing-runid.json", "run.runId"],
    ["openlineage-bad-assertion.json", "inputs.0.inputFacets.dataQualityAssertions.assertions.0.success"],
  ])("rejects %s with the zod path %s", (file, path) => {
    const error = thrown(() => adaptOpenLineage(loadSignalFixture(`malformed/${file}`), ctx));
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe(path);
    expect((error as SignalError).status).toBe(400);
  });
});
