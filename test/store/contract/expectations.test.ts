import { describe, expect, it } from "vitest";
import { record } from "../fixtures/expectation-record.js";
import { BACKENDS, useStore } from "./backends.js";

describe.each(BACKENDS)("$name expectation store", (backend) => {
  const ctx = useStore(backend);

  it("stores an expectation once per id and reads it back", async () => {
    const store = ctx.store;
    expect(await store.expectations.add([record(), record({ id: "acme/shop#7:4", fingerprint: "f2" })])).toBe(
      2,
    );
    expect(await store.expectations.add([record({ state: "met" })])).toBe(0);
    expect(await store.expectations.get("acme/shop#7:3")).toEqual(record());
    expect((await store.expectations.get("acme/shop#7:4"))?.author).toBe("octocat");
    expect(
      (await store.expectations.list({ repo: "acme/shop", fingerprint: "f2" })).map((r) => r.id),
    ).toEqual(["acme/shop#7:4"]);
  });

  it("lets only one run settle a watching expectation", async () => {
    const store = ctx.store;
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
  });

  it("lists watched expectations and those settled since a time", async () => {
    const store = ctx.store;
    await store.expectations.add([
      record(),
      record({ id: "acme/shop#7:4" }),
      record({ id: "acme/shop#7:5" }),
    ]);
    const verdict = { state: "met" as const, reason: "held", evidence: [] };
    const settle = (id: string, now: Date) =>
      store.expectations.settle({ id, from: "watching", state: "met", verdict, now });
    await settle("acme/shop#7:4", new Date("2026-11-11T00:00:00Z"));
    await settle("acme/shop#7:5", new Date("2026-11-20T00:00:00Z"));
    const since = new Date("2026-11-15T00:00:00Z");
    expect(
      (await store.expectations.list({ repo: "acme/shop", updatedSince: since })).map((r) => [r.id, r.state]),
    ).toEqual([
      ["acme/shop#7:3", "watching"],
      ["acme/shop#7:5", "met"],
    ]);
  });

  it("adds a batch all or nothing, and stores an id listed twice once", async () => {
    const store = ctx.store;
    expect(await store.expectations.add([record(), record({ state: "met" })])).toBe(1);
    expect((await store.expectations.get("acme/shop#7:3"))?.state).toBe("watching");
    const bad = record({ id: "acme/shop#7:9", mergedAt: new Date(Number.NaN) });
    await expect(store.expectations.add([record({ id: "acme/shop#7:8" }), bad])).rejects.toThrow();
    expect(await store.expectations.get("acme/shop#7:8")).toBeNull();
    expect(await store.expectations.add([])).toBe(0);
  });
});
