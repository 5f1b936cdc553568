import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateThreshold } from "../../../src/core/triage/evaluate-threshold.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";
import { LEARN_MARGIN, latestEpisode, learnTolerance } from "../../../src/core/triage/learn-tolerance.js";
import { applyLearnedTolerance } from "../../../src/core/triage/learned-tolerance.js";
import type { ResolvedThreshold } from "../../../src/core/triage/thresholds.js";
import { history, signal } from "./signal.js";

const CLOSED = "2026-12-31T00:00:00.000Z";

describe("learnTolerance", () => {
  const cases = [
    {
      name: "moves a min down just past the lowest breach (5% of the gap)",
      threshold: { from: "config" as const, min: 0.99 },
      metric: "completeness",
      direction: "down" as const,
      values: [0.995, 0.996, 0.95, 0.93, 0.94],
      breached: [2, 3, 4],
      old: { min: 0.99 },
      worst: { min: 0.93 },
      bounds: { min: 0.93 - 0.05 * 0.06 },
    },
    {
      name: "moves a max up just past the highest breach",
      threshold: { from: "default" as const, max: 0.01 },
      metric: "nullRate",
      direction: "both" as const,
      values: [0.001, 0.002, 0.05, 0.09],
      breached: [2, 3],
      old: { max: 0.01 },
      worst: { max: 0.09 },
      bounds: { max: 0.09 + 0.05 * 0.08 },
    },
    {
      name: "widens a relative limit to the worst change against the baseline of its time",
      threshold: { from: "default" as const, relative: 0.3 },
      metric: "row_count",
      direction: "both" as const,
      values: [100, 100, 100, 50, 40],
      breached: [3, 4],
      old: { relative: 0.3 },
      worst: { relative: 0.6 },
      bounds: { relative: 0.6 + 0.05 * 0.3 },
    },
    {
      name: "widens a z-score limit to the worst |z| seen",
      threshold: { from: "default" as const, zscore: 3 },
      metric: "psi",
      direction: "both" as const,
      // Healthy points with mean 10 and standard deviation 1: 16 is z = 6.
      values: [9, 11, 9, 11, 10, 16],
      breached: [5],
      old: { zscore: 3 },
      worst: { zscore: 6 },
      bounds: { zscore: 6 + 0.05 * 3 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const outcome = learnTolerance({
        threshold: c.threshold,
        metric: c.metric,
        kind: "custom",
        direction: c.direction,
        evaluations: history(c.metric, c.values, c.breached),
        closedAt: CLOSED,
      });
      expect(outcome.learned).toBe(true);
      if (!outcome.learned) return;
      expect(outcome.old).toEqual(c.old);
      for (const [key, value] of Object.entries(c.worst))
        expect(outcome.worst[key as keyof typeof outcome.worst]).toBeCloseTo(value, 9);
      for (const [key, value] of Object.entries(c.bounds))
        expect(outcome.bounds[key as keyof typeof outcome.bounds]).toBeCloseTo(value, 9);
      expect(outcome.breaches).toBe(c.breached.length);
    });
  }

  it("relaxes only the limit a breach went past when a rule has both a min and a max", () => {
    const outcome = learnTolerance({
      threshold: { from: "config", min: 10, max: 20 },
      metric: "m",
      kind: "custom",
      direction: "both",
      evaluations: history("m", [15, 15, 8, 6], [2, 3]),
      closedAt: CLOSED,
    });
    expect(outcome).toEqual({
      learned: true,
      old: { min: 10 },
      worst: { min: 6 },
      bounds: { min: 6 - LEARN_MARGIN * 4 },
      breaches: 2,
    });
  });

  it("reads values in Backflow's units (percent completeness as a fraction)", () => {
    const outcome = learnTolerance({
      threshold: { from: "config", min: 0.99 },
      metric: "completeness",
      kind: "completeness",
      unit: "percent",
      direction: "down",
      evaluations: history("completeness", [99.5, 95], [1]),
      closedAt: CLOSED,
    });
    expect(outcome.learned && outcome.worst.min).toBeCloseTo(0.95, 9);
  });

  it("keeps a tool's own limit in the tool's unit, also once it was learned over", () => {
    for (const from of [
      { from: "signal" as const },
      { from: "learned" as const, learnedOver: "signal" as const },
    ]) {
      const outcome = learnTolerance({
        threshold: { ...from, min: 99 },
        metric: "completeness",
        kind: "completeness",
        unit: "percent",
        direction: "down",
        evaluations: history("completeness", [99.5, 95], [1]),
        closedAt: CLOSED,
      });
      expect(outcome.learned && outcome.worst.min).toBe(95);
    }
  });

  it("learns from the latest breach episode only, up to the close", () => {
    // 0.5 belongs to an episode that recovered (two healthy points) before; 0.2 came after the close.
    const evaluations: Evaluation[] = [
      ...history("completeness", [0.5, 0.995, 0.996, 0.95, 0.97], [0, 3, 4]),
      { ...history("completeness", [0.2], [0])[0], observedAt: "2027-01-02T00:00:00.000Z" } as Evaluation,
    ];
    const outcome = learnTolerance({
      threshold: { from: "config", min: 0.99 },
      metric: "completeness",
      kind: "custom",
      direction: "down",
      evaluations,
      closedAt: CLOSED,
    });
    expect(outcome.learned && outcome.worst).toEqual({ min: 0.95 });
  });

  it("ignores other metrics of the fingerprint and points an annotation explained", () => {
    const evaluations = [
      ...history("completeness", [0.995, 0.97], [1]),
      ...history("nullRate", [0.5], [0]),
      { ...history("completeness", [0.1], [0])[0], expected: true, observedAt: "2026-11-03T00:00:00.000Z" },
    ] as Evaluation[];
    const outcome = learnTolerance({
      threshold: { from: "config", min: 0.99 },
      metric: "completeness",
      kind: "custom",
      direction: "down",
      evaluations,
      closedAt: CLOSED,
    });
    expect(outcome.learned && outcome.worst).toEqual({ min: 0.97 });
  });

  const nothing = [
    { name: "no measured breach", evaluations: history("m", [1, 1]), reason: /no measured breach/ },
    {
      name: "breaches judged by the source's status (within every limit)",
      evaluations: history("m", [5, 5], [0, 1]),
      reason: /source's own status/,
    },
  ];
  for (const c of nothing) {
    it(`learns nothing from ${c.name}`, () => {
      const outcome = learnTolerance({
        threshold: { from: "config", max: 10 },
        metric: "m",
        kind: "custom",
        direction: "both",
        evaluations: c.evaluations,
        closedAt: CLOSED,
      });
      expect(outcome.learned).toBe(false);
      if (!outcome.learned) expect(outcome.reason).toMatch(c.reason);
    });
  }

  it("relaxes further on a second close, from the learned limit", () => {
    const first = learnTolerance({
      threshold: { from: "config", min: 0.99 },
      metric: "completeness",
      kind: "custom",
      direction: "down",
      evaluations: history("completeness", [0.995, 0.93], [1]),
      closedAt: CLOSED,
    });
    const learnedMin = first.learned ? (first.bounds.min ?? 0) : 0;
    const second = learnTolerance({
      threshold: { from: "learned", learnedOver: "config", min: learnedMin },
      metric: "completeness",
      kind: "custom",
      direction: "down",
      evaluations: history("completeness", [0.995, 0.93, 0.95, 0.95, 0.85], [1, 4]),
      closedAt: CLOSED,
    });
    expect(second).toMatchObject({ learned: true, old: { min: learnedMin }, worst: { min: 0.85 } });
    expect(second.learned && (second.bounds.min ?? 1) < learnedMin).toBe(true);
  });
});

describe("latestEpisode", () => {
  it("stops at the healthy run that would have closed the finding", () => {
    const points = history("m", [0, 1, 1, 0, 1, 0, 0], [0, 3, 5, 6]);
    expect(latestEpisode(points, 2)).toEqual([3, 5, 6]);
    expect(latestEpisode(points, 3)).toEqual([0, 3, 5, 6]);
  });
});

describe("a learned limit, property", () => {
  const resolved: ResolvedThreshold = { rule: { min: 0.99, direction: "down" }, from: "config" };
  it("accepts every value the episode saw and still breaches past the learned limit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.989, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (breaches) => {
          const values = [0.995, ...breaches];
          const evaluations = history(
            "completeness",
            values,
            breaches.map((_, i) => i + 1),
          );
          const outcome = learnTolerance({
            threshold: { from: "config", min: 0.99 },
            metric: "completeness",
            kind: "completeness",
            direction: "down",
            evaluations,
            closedAt: CLOSED,
          });
          if (!outcome.learned) return false;
          const relaxed = applyLearnedTolerance(
            resolved,
            {
              fingerprint: "f",
              entries: [
                {
                  issue: 1,
                  metric: "completeness",
                  closedBy: "alice",
                  closedAt: CLOSED,
                  old: outcome.old,
                  worst: outcome.worst,
                  learned: outcome.bounds,
                  breaches: outcome.breaches,
                },
              ],
            },
            "completeness",
          );
          const judge = (value: number) =>
            evaluateThreshold({
              signal: signal({ measurement: { metric: "completeness", kind: "completeness", value } }),
              threshold: relaxed,
              history: [],
            }).breached;
          const worst = Math.min(...breaches);
          const beyond = (relaxed.rule.min ?? 0) - 0.01;
          return (
            breaches.every((v) => !judge(v)) && judge(beyond) && judge(worst - (0.99 - worst) * 0.2 - 1e-9)
          );
        },
      ),
    );
  });
});
