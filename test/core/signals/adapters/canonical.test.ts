import { describe, expect, it } from "vitest";
import { SignalError } from "../../../../src/core/errors.js";
import { adaptCanonical } from "../../../../src/core/signals/adapters/canonical.js";
import { ctx, loadSignalFixture, thrown } from "../fixture.js";

describe("adaptCanonical", () => {
  it("accepts one signal, keeps the sender's id and ignores unknown fields", () => {
    const [signal] = adaptCanonical(loadSignalFixture("canonical-single.json"), ctx);
    expect(signal?.id).toBe("nightly-2026-11-24-orders-nulls");
    expect(signal?.source).toEqual({
      kind: "backflow",
      name: "ci",
      producer: "analytics-notebooks/churn-model",
      url: "https://example.test/runs/42",
    });
    expect(signal?.measurement).toMatchObject({ kind: "completeness", threshold: { mustBeLessThan: 0.01 } });
    expect(signal?.receivedAt).toBe("2026-11-25T08:00:00.000Z");
    expect(signal).not.toHaveProperty("someFutureField");
  });

  it("fills id, status, severity and metric kind for a batch", () => {
    const signals = adaptCanonical(loadSignalFixture("canonical-batch.json"), ctx);
    expect(signals.map((s) => s.measurement?.kind)).toEqual(["volume", "performance"]);
    expect(signals.map((s) => [s.status, s.severity])).toEqual([
      ["firing", "warning"],
      ["firing", "error"],
    ]);
    expect(signals[0]?.id).not.toBe(signals[1]?.id);
    expect(adaptCanonical(loadSignalFixture("canonical-batch.json"), ctx)[0]?.id).toBe(signals[0]?.id);
  });

  it("truncates a long message to 1 KB", () => {
    const [signal] = adaptCanonical(
      { type: "check_failed", dataset: { name: "t" }, message: "x".repeat(5000) },
      ctx,
    );
    expect(signal?.message.length).toBe(1024);
    expect(signal?.observedAt).toBe("2026-11-25T08:00:00.000Z");
  });

  it("caps a large raw payload to a preview", () => {
    const [signal] = adaptCanonical(
      { type: "check_failed", dataset: { name: "t" }, raw: { blob: "y".repeat(20000) } },
      ctx,
    );
    expect(signal?.raw).toMatchObject({ truncated: true });
  });

  it.each([["malformed/canonical-bad-type.json", "signals.1.type"]])("rejects %s at %s", (file, path) => {
    const error = thrown(() => adaptCanonical(loadSignalFixture(file), ctx));
    expect(error).toBeInstanceOf(SignalError);
    expect((error as SignalError).path).toBe(path);
  });

  it("points at the first problem and lists the others", () => {
    const error = thrown(() => adaptCanonical({ type: "metric_breach", observedAt: "yesterday" }, ctx));
    expect((error as SignalError).path).toBe("observedAt");
    expect((error as SignalError).message).toContain("dataset");
  });
});
