import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../../src/core/triage/fingerprint.js";

describe("fingerprintOf", () => {
  const base = { repo: "acme/shop", dataset: "orders", column: "customer_id", metric: "completeness" };

  it("is a stable sha256 hex", () => {
    expect(fingerprintOf(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf({ ...base })).toBe(fingerprintOf(base));
  });

  it("ignores case and metric punctuation", () => {
    expect(fingerprintOf({ ...base, repo: "Acme/Shop", column: "Customer_ID" })).toBe(fingerprintOf(base));
    expect(fingerprintOf({ ...base, metric: "null_rate" })).toBe(
      fingerprintOf({ ...base, metric: "nullRate" }),
    );
  });

  it.each([
    ["repo", { repo: "acme/other" }],
    ["dataset", { dataset: "customers" }],
    ["column", { column: "order_id" }],
    ["no column", { column: undefined }],
    ["metric", { metric: "volume" }],
  ])("changes with the %s", (_, change) => {
    expect(fingerprintOf({ ...base, ...change })).not.toBe(fingerprintOf(base));
  });

  it("does not confuse a dot in a name with a part boundary", () => {
    expect(fingerprintOf({ ...base, dataset: "a.b", column: "c" })).not.toBe(
      fingerprintOf({ ...base, dataset: "a", column: "b.c" }),
    );
  });
});
