import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import { adaptDatacontractCli } from "../../../../src/core/signals/adapters/datacontract-cli.js";
import { ctx, loadSignalFixture, thrown } from "../fixture.js";

describe("adaptDatacontractCli", () => {
  it("keeps the ODCS quality id, model and field of each check", () => {
    const signals = adaptDatacontractCli(loadSignalFixture("datacontract-cli.json"), ctx);
    expect(signals.map((s) => [s.column, s.status, s.severity])).toEqual([
      ["order_id", "firing", "error"],
      ["customer_id", "firing", "warning"],
      ["amount", "firing", "error"],
      [undefined, "resolved", "info"],
    ]);
    expect(signals[1]).toMatchObject({
      dataset: { name: "orders", contractId: "orders", schemaObject: "orders" },
      check: { ruleId: "oid_nulls" },
      observedAt: "2026-11-24T06:00:09.500Z",
    });
    expect(signals[0]?.measurement).toMatchObject({ metric: "duplicateValues", kind: "consistency" });
  });

  it("reports a missing field as a schema change", () => {
    const removed = adaptDatacontractCli(loadSignalFixture("datacontract-cli.json"), ctx)[2];
    expect(removed?.type).toBe("schema_change");
    expect(removed?.schemaChange).toEqual({ changes: [{ kind: "column_removed", column: "amount" }] });
  });

  it("rejects a check without a result, naming where", () => {
    const error = thrown(() =>
      adaptDatacontractCli(loadSignalFixture("malformed/datacontract-check-without-result.json"), ctx),
    );
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe("checks.0.result");
  });
});
