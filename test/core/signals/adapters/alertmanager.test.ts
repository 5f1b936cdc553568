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
      // A firing notification is an observation at its arrival: "still firing now".
      observedAt: ctx.receivedAt.toISOString(),
    });
    expect(resolved).toMatchObject({
      status: "resolved",
      severity: "warning",
      dataset: { name: "analytics.orders" },
      measurement: { metric: "row_count", kind: "volume", value: 19800 },
      observedAt: "2026-11-24T06:05:00.000Z",
    });
  });

  it("keys a resolution on the fingerprint, so a re-sent resolution dedupes, but each firing notification is new", () => {
    const body = loadSignalFixture("alertmanager.json") as { alerts: Array<Record<string, unknown>> };
    const a = adaptAlertmanager(body, ctx);
    const b = adaptAlertmanager(body, { ...ctx, deliveryId: "next-notification" });
    expect(b[1]?.id).toBe(a[1]?.id);
    expect(b[0]?.id).not.toBe(a[0]?.id);
    const resolvedFirst = {
      ...body,
      alerts: [{ ...body.alerts[0], status: "resolved", endsAt: "2026-11-24T09:00:00Z" }],
    };
    const [resolved] = adaptAlertmanager(resolvedFirst, ctx);
    expect(resolved?.id).not.toBe(a[0]?.id);
    expect(resolved?.observedAt).toBe("2026-11-24T09:00:00.000Z");
    expect(adaptAlertmanager(resolvedFirst, { ...ctx, deliveryId: "again" })[0]?.id).toBe(resolved?.id);
  });

  it("skips an alert without a dataset label and keeps the others when the intake collects skips", () => {
    const skipped: Array<{ path: string; reason: string }> = [];
    const signals = adaptAlertmanager(loadSignalFixture("malformed/alertmanager-no-dataset.json"), {
      ...ctx,
      skip: (item) => skipped.push(item),
    });
    expect(signals.map((s) => s.dataset.name)).toEqual(["x.y"]);
    expect(skipped).toEqual([
      { path: "alerts.1.labels.dataset", reason: expect.stringContaining("dataset label") },
    ]);
  });

  it("skips an alert that is not an alert object with its path", () => {
    const skipped: Array<{ path: string; reason: string }> = [];
    const body = loadSignalFixture("alertmanager.json") as { alerts: unknown[] };
    const signals = adaptAlertmanager(
      { ...body, alerts: [...body.alerts, { status: "pending", labels: {} }] },
      { ...ctx, skip: (item) => skipped.push(item) },
    );
    expect(signals).toHaveLength(2);
    expect(skipped.map((s) => s.path)).toEqual(["alerts.2.status"]);
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
