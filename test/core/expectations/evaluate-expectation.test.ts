import { describe, expect, it } from "vitest";
import {
  evaluateExpectation,
  type MetricPoint,
} from "../../../src/core/expectations/evaluate-expectation.js";
import { parseExpectations } from "../../../src/core/expectations/parse-expectations.js";

const MERGED = "2026-11-10T00:00:00Z";
const at = (hours: number) => new Date(Date.parse(MERGED) + hours * 3_600_000).toISOString();
const pts = (...pairs: Array<[number, number]>): MetricPoint[] =>
  pairs.map(([h, value]) => ({ observedAt: at(h), value }));

function expectation(line: string) {
  const e = parseExpectations(`\`\`\`expects\n- metric: ${line}\n\`\`\``).expectations[0];
  if (!e) throw new Error(`did not parse: ${line}`);
  return e;
}

describe("evaluateExpectation", () => {
  const within = expectation("completeness(orders.customer_id) >= 0.99 within 3d");
  const forWeek = expectation("volume(orders) within 5% of baseline for 7d");

  it.each([
    ["within: no point after the merge yet", within, pts([-5, 0.9]), "watching"],
    ["within: a point before the merge does not count", within, pts([-1, 0.999]), "watching"],
    ["within: failing so far, deadline not reached", within, pts([1, 0.95], [30, 0.97]), "watching"],
    ["within: a point in the window holds", within, pts([1, 0.95], [48, 0.995]), "met"],
    ["within: the first point at the deadline holds", within, pts([1, 0.95], [80, 0.995]), "met"],
    ["within: the first point past the deadline fails", within, pts([1, 0.95], [73, 0.96]), "violated"],
    ["for: holding so far", forWeek, pts([-48, 1000], [-24, 1010], [24, 990], [48, 1040]), "watching"],
    [
      "for: one point drifts out of the band",
      forWeek,
      pts([-48, 1000], [-24, 1000], [24, 990], [48, 800]),
      "violated",
    ],
    [
      "for: held all week and a point past the end arrived",
      forWeek,
      pts([-24, 1000], [24, 990], [100, 1020], [170, 1000]),
      "met",
    ],
    ["for: no baseline before the merge, still open", forWeek, pts([24, 990]), "watching"],
    ["for: no baseline and the window is over", forWeek, pts([24, 990], [200, 1000]), "inconclusive"],
    ["for: no points inside the window", forWeek, pts([-24, 1000], [200, 1000]), "inconclusive"],
  ])("%s → %s", (_name, e, points, state) => {
    expect(evaluateExpectation({ expectation: e, points, mergedAt: MERGED }).state).toBe(state);
  });

  it("takes the baseline as the median of the last points before the merge", () => {
    const verdict = evaluateExpectation({
      expectation: forWeek,
      points: pts([-72, 5000], [-48, 1000], [-24, 1100], [1, 1000]),
      mergedAt: MERGED,
    });
    expect(verdict.baseline).toBe(1100);
  });

  it("cites the failing point as evidence", () => {
    const verdict = evaluateExpectation({
      expectation: forWeek,
      points: pts([-1, 1000], [5, 1000], [6, 700]),
      mergedAt: MERGED,
    });
    expect(verdict.evidence.at(-1)).toEqual({ observedAt: at(6), value: 700, holds: false });
    expect(verdict.reason).toContain(at(6));
  });

  it("orders points by their own timestamps, whatever order they arrive in", () => {
    const points = pts([80, 0.96], [1, 0.9]);
    expect(evaluateExpectation({ expectation: within, points, mergedAt: MERGED }).state).toBe("violated");
  });
});
