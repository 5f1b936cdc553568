import { describe, expect, it } from "vitest";
import type { CanaryRecord, CanaryStore } from "../../../src/store/store.js";

const T0 = new Date("2026-11-10T00:00:00Z");
const DAY = 86_400_000;

/** A canary record for tests; fields overridable. */
export const canaryRecord = (over: Partial<CanaryRecord> = {}): CanaryRecord => ({
  id: "acme/shop#7",
  repo: "acme/shop",
  pr: 7,
  mergeSha: "a".repeat(40),
  mergedAt: T0,
  author: "octocat",
  windowEnds: new Date(T0.getTime() + 3 * DAY),
  watched: [{ tableId: "fct_orders", column: "revenue" }, { tableId: "dim_customers" }],
  series: [],
  state: "watching",
  ended: false,
  summary: null,
  evidence: [],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

/**
 * The behaviour every CanaryStore backend must have; `open` gives a fresh, empty store and a way
 * to close it. Run on both backends by test/store/contract/canaries.test.ts.
 */
export function describeCanaryStore(
  name: string,
  open: () => Promise<{ canaries: CanaryStore; close: () => Promise<void> }>,
): void {
  describe(`${name} canary store`, () => {
    it("stores a canary once per id and reads every field back", async () => {
      const { canaries, close } = await open();
      expect(await canaries.add(canaryRecord())).toBe(true);
      expect(await canaries.add(canaryRecord({ mergeSha: "b".repeat(40) }))).toBe(false);
      expect(await canaries.get("acme/shop#7")).toEqual(canaryRecord());
      expect(await canaries.get("acme/shop#8")).toBeNull();
      await close();
    });

    it("lists canaries whose window contains a time, by state and by end", async () => {
      const { canaries, close } = await open();
      await canaries.add(canaryRecord());
      await canaries.add(
        canaryRecord({
          id: "acme/shop#9",
          pr: 9,
          mergedAt: new Date(T0.getTime() + 2 * DAY),
          windowEnds: new Date(T0.getTime() + 5 * DAY),
        }),
      );
      await canaries.add(canaryRecord({ id: "other/repo#1", repo: "other/repo", pr: 1 }));
      const at = (d: number) =>
        canaries.list({ repo: "acme/shop", activeAt: new Date(T0.getTime() + d * DAY) });
      expect((await at(1)).map((c) => c.pr)).toEqual([7]);
      expect((await at(2.5)).map((c) => c.pr)).toEqual([7, 9]);
      expect((await at(3)).map((c) => c.pr)).toEqual([9]);
      expect(await at(-1)).toEqual([]);
      expect((await canaries.list({ repo: "acme/shop" })).map((c) => c.pr)).toEqual([7, 9]);
      expect(await canaries.end({ id: "acme/shop#7", state: "clean", summary: "ok", now: T0 })).toBe(true);
      expect((await canaries.list({ repo: "acme/shop", ended: false })).map((c) => c.pr)).toEqual([9]);
      expect((await canaries.list({ repo: "acme/shop", state: "clean" })).map((c) => c.pr)).toEqual([7]);
      await close();
    });

    it("adds series refs once per fingerprint and metric", async () => {
      const { canaries, close } = await open();
      await canaries.add(canaryRecord());
      const ref = {
        fingerprint: "f1",
        tableId: "fct_orders",
        column: "revenue",
        metric: "volume",
        kind: "volume" as const,
      };
      const later = new Date(T0.getTime() + DAY);
      await canaries.addSeries({ id: "acme/shop#7", series: [ref, ref], now: later });
      const after = await canaries.addSeries({
        id: "acme/shop#7",
        series: [ref, { ...ref, metric: "null_rate", kind: "completeness" as const }],
        now: later,
      });
      expect(after?.series.map((s) => s.metric)).toEqual(["volume", "null_rate"]);
      expect(after?.updatedAt).toEqual(later);
      expect(await canaries.addSeries({ id: "nope#1", series: [ref], now: later })).toBeNull();
      await close();
    });

    it("records each regression line once and moves the canary to regressed", async () => {
      const { canaries, close } = await open();
      await canaries.add(canaryRecord());
      const now = new Date(T0.getTime() + DAY);
      expect(
        await canaries.recordRegression({ id: "acme/shop#7", evidence: ["a", "a"], summary: "s1", now }),
      ).toEqual(["a"]);
      expect(
        await canaries.recordRegression({ id: "acme/shop#7", evidence: ["a", "b"], summary: "s2", now }),
      ).toEqual(["b"]);
      expect(
        await canaries.recordRegression({ id: "acme/shop#7", evidence: ["b"], summary: "s3", now }),
      ).toEqual([]);
      const got = await canaries.get("acme/shop#7");
      expect(got?.state).toBe("regressed");
      expect(got?.evidence).toEqual(["a", "b"]);
      expect(got?.summary).toBe("s2");
      await close();
    });

    it("ends a window once: the second run is told another ended it", async () => {
      const { canaries, close } = await open();
      await canaries.add(canaryRecord());
      const now = new Date(T0.getTime() + 3 * DAY);
      expect(await canaries.end({ id: "acme/shop#7", state: "no-signal", summary: "none", now })).toBe(true);
      expect(await canaries.end({ id: "acme/shop#7", state: "clean", summary: "x", now })).toBe(false);
      const got = await canaries.get("acme/shop#7");
      expect(got).toMatchObject({ state: "no-signal", ended: true, summary: "none" });
      await close();
    });
  });
}
