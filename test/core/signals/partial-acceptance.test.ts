import { describe, expect, it } from "vitest";
import { SignalError } from "../../../src/core/errors.js";
import { adaptDelivery } from "../../../src/core/signals/adapt-delivery.js";
import { DEFAULT_OBSERVED_AT_WINDOW } from "../../../src/core/signals/observed-at-window.js";
import { ctx, loadSignalFixture, thrown } from "./fixture.js";
import { elementaryModelError, elementaryNotNull } from "./fixtures/elementary-alerts.js";
import { sodaScan } from "./fixtures/soda-scan.js";

// One malformed item never takes the valid items of its payload down with it (issue 17, item 2).
const options = { ...ctx, window: DEFAULT_OBSERVED_AT_WINDOW };
type Json = Record<string, unknown>;
const withItem = (body: Json, key: string, item: unknown) => ({
  ...body,
  [key]: [...(body[key] as unknown[]), item],
});

describe("adaptDelivery keeps what is valid and lists what it skipped", () => {
  it.each([
    [
      "dbt run_results",
      () => withItem(loadSignalFixture("dbt-run-results.json") as Json, "results", { status: "fail" }),
      "results",
    ],
    [
      "canonical batch",
      () => withItem(loadSignalFixture("canonical-batch.json") as Json, "signals", { type: "nope" }),
      "signals",
    ],
    [
      "datacontract-cli run",
      () => withItem(loadSignalFixture("datacontract-cli.json") as Json, "checks", { result: 7 }),
      "checks",
    ],
    ["Soda scan", () => withItem(sodaScan as Json, "checks", { outcome: ["fail"] }), "checks"],
    [
      "Elementary alert list",
      () => [elementaryNotNull, elementaryModelError, { alert_class_id: 3, test_unique_id: 4 }],
      "",
    ],
  ])("%s", (_, body, at) => {
    const payload = body();
    const all = Array.isArray(payload) ? payload.length : (payload[at] as unknown[]).length;
    const adapted = adaptDelivery(payload, options);
    expect(adapted.signals.length).toBeGreaterThan(0);
    expect(adapted.skipped).toHaveLength(1);
    expect(adapted.skipped[0]?.path.startsWith(at ? `${at}.${all - 1}` : `${all - 1}`)).toBe(true);
    expect(adapted.skipped[0]?.reason).toMatch(/not a valid/);
  });

  it("answers 400 listing the reasons when nothing at all could be accepted", () => {
    const error = thrown(() =>
      adaptDelivery(
        { version: "4", receiver: "am", alerts: [{ status: "firing", labels: {}, startsAt: "x" }] },
        options,
      ),
    );
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe("alerts.0.labels.dataset");
    expect((error as SignalError).message).toMatch(/^Nothing in this alertmanager payload could be accepted/);
  });
});
