import { describe, expect, it } from "vitest";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";
import { decideTransition, durationMs, type Transition } from "../../../src/core/triage/hysteresis.js";

const HOUR = 3_600_000;

/** "B" breach, "H" healthy, "E" breach at error severity, "X" expected breach; one point per hour. */
function points(pattern: string): Evaluation[] {
  return [...pattern].map((c, i) => ({
    observedAt: new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
    metric: "nullRate",
    breached: c !== "H",
    expected: c === "X",
    severity: c === "E" ? "error" : "warning",
  }));
}

/** The action decided after each prefix of the pattern. */
function actions(
  pattern: string,
  options: { consecutive?: number; recoverAfter?: number; suppressMs?: number } = {},
): Transition[] {
  const all = points(pattern);
  return all.map(
    (_, i) =>
      decideTransition({
        evaluations: all.slice(0, i + 1),
        suppressMs: options.suppressMs ?? 6 * HOUR,
        ...options,
      }).action,
  );
}

describe("decideTransition", () => {
  it.each([
    ["opens after two warning breaches in a row", "BB", ["none", "open"]],
    ["opens on the first error", "E", ["open"]],
    ["resolves after two healthy points", "BBHH", ["none", "open", "update", "resolve"]],
    [
      "does not open a flapping warning",
      "BHBHBHBH",
      ["none", "none", "none", "none", "none", "none", "none", "none"],
    ],
    [
      "keeps a flapping error open instead of reopening it",
      "EHEHEH",
      ["open", "update", "update", "update", "update", "update"],
    ],
    ["reopens after a full recovery", "BBHHBB", ["none", "open", "update", "resolve", "none", "open"]],
    ["ignores expected breaches for opening", "XXXB", ["none", "none", "none", "none"]],
  ])("%s", (_, pattern, expected) => {
    expect(actions(pattern)).toEqual(expected);
  });

  it("honours configured consecutive and recoverAfter", () => {
    expect(actions("BBB", { consecutive: 3 })).toEqual(["none", "none", "open"]);
    expect(actions("EHHH", { recoverAfter: 3 })).toEqual(["open", "update", "update", "resolve"]);
  });

  it("orders by observedAt, not by arrival", () => {
    const [a, b, c] = points("HBB");
    if (!a || !b || !c) throw new Error("fixture");
    // The late-arriving healthy point is older, so the two breaches are still consecutive.
    expect(decideTransition({ evaluations: [b, c, a], suppressMs: HOUR }).action).toBe("open");
  });

  it("updates silently within the quiet period and comments after it", () => {
    const decide = (pattern: string, suppressMs: number) =>
      decideTransition({ evaluations: points(pattern), suppressMs });
    expect(decide("BBB", 6 * HOUR)).toMatchObject({ action: "update", comment: false });
    expect(decide("BBB", HOUR)).toMatchObject({ action: "update", comment: true });
  });

  it("comments when the severity changes", () => {
    expect(decideTransition({ evaluations: points("BBE"), suppressMs: 6 * HOUR })).toMatchObject({
      action: "update",
      comment: true,
      reason: expect.stringContaining("severity changed"),
    });
  });

  it("trusts the store when it says the finding was closed", () => {
    expect(
      decideTransition({ evaluations: points("BBB"), suppressMs: HOUR, currentlyOpen: false }).action,
    ).toBe("open");
    expect(
      decideTransition({ evaluations: points("BH"), suppressMs: HOUR, currentlyOpen: true }).action,
    ).toBe("update");
  });

  it.each([
    ["30m", 30 * 60_000],
    ["6h", 6 * HOUR],
    ["2d", 48 * HOUR],
    ["soon", 0],
  ])("reads the duration %s", (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });
});

describe("explicit resolution by the sender", () => {
  const resolvedBySource = (hour: number): Evaluation => ({
    observedAt: new Date(Date.UTC(2026, 10, 1, hour)).toISOString(),
    metric: "nullRate",
    value: 0.042,
    breached: false,
    expected: false,
    severity: "warning",
    resolvedBySource: true,
  });

  it("resolves an open finding on one resolution, without waiting for recoverAfter healthy points", () => {
    const decision = decideTransition({
      evaluations: [...points("BB"), resolvedBySource(2)],
      suppressMs: 6 * HOUR,
      recoverAfter: 3,
    });
    expect(decision).toEqual({ action: "resolve", comment: true, reason: "the source reports it resolved" });
  });

  it("still needs recoverAfter healthy points from a bare measurement", () => {
    expect(actions("BBH")).toEqual(["none", "open", "update"]);
  });

  it("resets the breach count, so a resolution between two breaches keeps a finding closed", () => {
    const decision = decideTransition({
      evaluations: [
        ...points("B"),
        resolvedBySource(1),
        { ...points("B")[0], observedAt: new Date(Date.UTC(2026, 10, 1, 2)).toISOString() } as Evaluation,
      ],
      suppressMs: 6 * HOUR,
    });
    expect(decision.action).toBe("none");
  });
});

describe("points dated in the future", () => {
  it("ignores a stored point dated far after the newest arrival, so it cannot pin a finding", () => {
    const pinned: Evaluation = { ...(points("B")[0] as Evaluation), observedAt: "9999-12-31T00:00:00.000Z" };
    const history = [...points("BB"), pinned];
    const recovery = points("BBHH").slice(2);
    const decision = decideTransition({
      evaluations: [...history, ...recovery],
      suppressMs: 6 * HOUR,
      arrivedAt: recovery[1]?.observedAt,
    });
    expect(decision.action).toBe("resolve");
  });
});
