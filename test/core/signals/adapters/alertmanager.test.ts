import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import { adaptAlertmanager } from "../../../../src/core/signals/adapters/alertmanager.js";
import { ctx, loadSignalFixture, thrown } from "../fixture.js";

describe("adaptAlertmanager", () => {
  it("maps labels and annotations onto dataset, column, metric and value", () => {
    const [firing, resolved] = adaptAlertmanager(loadSignalFixture("alertmanager.json"), ctx);
    expect(firing).toMatchObject({
      type: "metric_breach",
      status: "firing",
      severity: "error",
      dataset: { name: "analytics.orders" },
      column: "customer_id",
      check: { name: "OrdersNullRateHigh", ruleId: "oid_nulls" },
      measurement: {
        metric: "null_rate",
        kind: "completeness",
        value: 0.042,
        threshold: { mustBeLessOrEqualTo: 0.01 },
      },
      observedAt: "2026-11-24T06:01:00.000Z",
    });
    expect(resolved).toMatchObject({
      status: "resolved",
      severity: "warning",
      dataset: { name: "analytics.orders" },
      measurement: { metric: "row_count", kind: "volume", value: 19800 },
      observedAt: "2026-11-24T06:05:00.000Z",
    });
  });

  it("keys ids on the fingerprint, so a re-sent notification dedupes but a resolution does not", () => {
    const body = loadSignalFixture("alertmanager.json") as { alerts: Array<Record<string, unknown>> };
    const a = adaptAlertmanager(body, ctx);
    const b = adaptAlertmanager(body, { ...ctx, deliveryId: "retry" });
    expect(b.map((s) => s.id)).toEqual(a.map((s) => s.id));
    const resolvedFirst = {
      ...body,
      alerts: [{ ...body.alerts[0], status: "resolved", endsAt: "2026-11-24T09:00:00Z" }],
    };
    expect(adaptAlertmanager(resolvedFirst, ctx)[0]?.id).not.toBe(a[0]?.id);
  });

  it("asks for a dataset label when an alert has none", () => {
    const error = thrown(() =>
      adaptAlertmanager(loadSignalFixture("malformed/alertmanager-no-dataset.json"), ctx),
    );
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe("alerts.1.labels.dataset");
    expect((error as SignalError).message).toContain("dataset");
  });

  it("rejects a webhook without alerts", () => {
    const error = thrown(() => adaptAlertmanager({ version: "4", receiver: "x", alerts: [] }, ctx));
    expect((error as SignalError).path).toBe("alerts");
  });
});
