import { describe, expect, it } from "vitest";
import { SignalError } from "../../../src/core/errors.js";
import { adaptSignals, detectFormat } from "../../../src/core/signals/detect-format.js";
import { ctx, loadSignalFixture, thrown } from "./fixture.js";

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
  ])("lets the hint %s win", (hint, format) => {
    expect(detectFormat({ anything: true }, hint)).toBe(format);
  });

  it("lists the accepted formats for an unknown hint", () => {
    const error = thrown(() => detectFormat({}, "soda"));
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).status).toBe(415);
    expect((error as SignalError).message).toContain("openlineage, great-expectations, dbt, alertmanager");
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
