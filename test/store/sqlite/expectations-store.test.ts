import { describe, expect, it } from "vitest";
import { parseExpectations } from "../../../src/core/expectations/parse-expectations.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { ExpectationRecord } from "../../../src/store/store.js";

const spec = {
  ...(parseExpectations("```expects\n- metric: volume(orders) > 10 within 1d\n```").expectations[0] ??
    ({} as never)),
  tableId: "orders",
  fingerprint: "f1",
};
const T0 = new Date("2026-11-10T00:00:00Z");

const record = (over: Partial<ExpectationRecord> = {}): ExpectationRecord => ({
  id: "acme/shop#7:3",
  repo: "acme/shop",
  pr: 7,
  mergeSha: "a".repeat(40),
  mergedAt: T0,
  fingerprint: "f1",
  spec,
  state: "watching",
  verdict: null,
  revertPr: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

describe("sqlite expectation store", () => {
  it("stores an expectation once per id and reads it back", async () => {
    const store = openSqliteStore(":memory:");
    expect(await store.expectations.add([record(), record({ id: "acme/shop#7:4", fingerprint: "f2" })])).toBe(
      2,
    );
    expect(await store.expectations.add([record({ state: "met" })])).toBe(0);
    expect(await store.expectations.get("acme/shop#7:3")).toEqual(record());
    expect(
      (await store.expectations.list({ repo: "acme/shop", fingerprint: "f2" })).map((r) => r.id),
    ).toEqual(["acme/shop#7:4"]);
    await store.close();
  });

  it("lets only one run settle a watching expectation", async () => {
    const store = openSqliteStore(":memory:");
    await store.expectations.add([record()]);
    const verdict = { state: "met" as const, reason: "held", evidence: [] };
    const now = new Date("2026-11-11T00:00:00Z");
    expect(
      await store.expectations.settle({ id: "acme/shop#7:3", from: "watching", state: "met", verdict, now }),
    ).toBe(true);
    expect(
      await store.expectations.settle({
        id: "acme/shop#7:3",
        from: "watching",
        state: "violated",
        verdict,
        now,
      }),
    ).toBe(false);
    await store.expectations.setRevertPr({ id: "acme/shop#7:3", revertPr: 12, now });
    expect(await store.expectations.get("acme/shop#7:3")).toMatchObject({
      state: "met",
      verdict,
      revertPr: 12,
      updatedAt: now,
    });
    expect(await store.expectations.list({ repo: "acme/shop", state: "watching" })).toEqual([]);
    await store.close();
  });
});
