import { describe, expect, it } from "vitest";
import { SignalError } from "../../../src/core/errors.js";
import { adaptSignals, detectFormat } from "../../../src/core/signals/detect-format.js";
import { ctx, loadSignalFixture, thrown } from "./fixture.js";
import { elementaryNotNull, elementarySourceFreshness } from "./fixtures/elementary-alerts.js";
import { sodaScan } from "./fixtures/soda-scan.js";

describe("detectFormat", () => {
  it.each([
    ["canonical-single.json", "backflow"],
    ["canonical-batch.json", "backflow"],
    ["openlineage-dbt-assertions.json", "openlineage"],
    ["openlineage-metrics.json", "openlineage"],
    ["openlineage-fail.json", "openlineage"],
    ["gx-validation-1x.json", "great-expectations"],
    ["gx-checkpoint-0x.json", "great-expectations"],
    ["dbt-run-results.json", "dbt"],
    ["dbt-bundle.json", "dbt"],
    ["dbt-sources.json", "dbt"],
    ["alertmanager.json", "alertmanager"],
    ["datacontract-cli.json", "datacontract-cli"],
  ])("recognises %s as %s", (file, format) => {
    expect(detectFormat(loadSignalFixture(file))).toBe(format);
  });

  it.each([
    ["gx", "great-expectations"],
    ["Prometheus", "alertmanager"],
    ["datacontract", "datacontract-cli"],
    ["run_results", "dbt"],
    ["canonical", "backflow"],
    ["soda", "soda"],
    ["Soda Core", "soda"],
    ["elementary", "elementary"],
    ["edr", "elementary"],
  ])("lets the hint %s win", (hint, format) => {
    expect(detectFormat({ anything: true }, hint)).toBe(format);
  });

  it("lists the accepted formats for an unknown hint", () => {
    const error = thrown(() => detectFormat({}, "nagios"));
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).status).toBe(415);
    expect((error as SignalError).message).toContain("openlineage, great-expectations, dbt, alertmanager");
    expect((error as SignalError).message).toContain("soda, elementary");
  });

  it.each([
    ["a Soda scan result", sodaScan, "soda"],
    ["a Soda scan result without a definition name", { ...sodaScan, definitionName: null }, "soda"],
    ["one Elementary test alert", elementaryNotNull, "elementary"],
    ["a list of Elementary alerts", [elementaryNotNull, elementarySourceFreshness], "elementary"],
    [
      "an Elementary alert with only elementary_unique_id",
      { ...elementaryNotNull, alert_class_id: undefined },
      "elementary",
    ],
  ])("recognises %s", (_, body, format) => {
    expect(detectFormat(body)).toBe(format);
  });

  it.each([
    [
      "datacontract-cli checks",
      { checks: [{ result: "passed" }], dataContractId: "orders", defaultDataSource: "x" },
    ],
    ["a dbt result carrying a test id only", { results: [{ unique_id: "test.a.b", test_unique_id: "x" }] }],
    ["a list of canonical signals", [{ type: "metric_breach", dataset: { name: "a" } }]],
  ])("does not take %s for Soda or Elementary", (_, body) => {
    const format = (() => {
      try {
        return detectFormat(body);
      } catch {
        return "unrecognised";
      }
    })();
    expect(["soda", "elementary"]).not.toContain(format);
  });

  it.each([[{ hello: "world" }], [[1, 2]], ["text"], [null]])("refuses an unrecognisable body %j", (body) => {
    const error = thrown(() => detectFormat(body));
    expect((error as SignalError).status).toBe(415);
    expect((error as SignalError).message).toContain("x-backflow-format");
  });
});

describe("adaptSignals", () => {
  it("detects and adapts in one call", () => {
    const signals = adaptSignals(loadSignalFixture("alertmanager.json"), ctx);
    expect(signals.map((s) => s.source.kind)).toEqual(["alertmanager", "alertmanager"]);
    expect(adaptSignals(sodaScan, ctx).every((s) => s.source.kind === "soda")).toBe(true);
    expect(adaptSignals([elementaryNotNull], ctx).map((s) => s.source.kind)).toEqual(["elementary"]);
  });

  it("drops a repeated observation inside one payload", () => {
    const body = loadSignalFixture("openlineage-dbt-assertions.json") as {
      inputs: Array<{ facets: Record<string, unknown>; inputFacets: Record<string, unknown> }>;
    };
    const input = body.inputs[0];
    if (input) input.facets = { ...input.facets, ...input.inputFacets };
    const signals = adaptSignals(body, { ...ctx, hint: "openlineage" });
    expect(signals).toHaveLength(3);
  });
});
