import type { EvidencePoint, Expectation, ExpectationVerdict } from "./expectation-schema.js";

export type MetricPoint = { readonly observedAt: string; readonly value: number };

/** Points before the merge that make the baseline: the most recent ones, at most this many. */
export const BASELINE_POINTS = 10;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function holds(condition: Expectation["condition"], value: number, baseline: number | undefined): boolean {
  if (condition.type === "baseline")
    return baseline !== undefined && Math.abs(value - baseline) <= condition.tolerance * Math.abs(baseline);
  const { operator, value: bound } = condition;
  if (operator === ">=") return value >= bound;
  if (operator === "<=") return value <= bound;
  if (operator === ">") return value > bound;
  if (operator === "<") return value < bound;
  return value === bound;
}

const point = (p: MetricPoint, ok: boolean): EvidencePoint => ({
  observedAt: p.observedAt,
  value: p.value,
  holds: ok,
});

/**
 * Judges an expectation from the metric's points, using only the signals' own timestamps (never the
 * clock): `within d` is met once a point after the merge holds, up to and including the first point
 * at or past the deadline, and violated when that point fails too; `for d` is violated by any failing
 * point in the window and met once a point at or past its end arrives with every window point holding.
 * Without a baseline (no points before the merge) or without points in a finished window, it is
 * `inconclusive` rather than violated: a missing signal is no evidence against the change.
 */
export function evaluateExpectation(input: {
  expectation: Expectation;
  points: readonly MetricPoint[];
  mergedAt: string;
}): ExpectationVerdict {
  const { expectation: e } = input;
  const merged = Date.parse(input.mergedAt);
  const deadline = merged + e.durationMs;
  const sorted = [...input.points]
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));
  const before = sorted.filter((p) => Date.parse(p.observedAt) <= merged).slice(-BASELINE_POINTS);
  const baseline =
    e.condition.type === "baseline" && before.length > 0 ? median(before.map((p) => p.value)) : undefined;
  const base = baseline === undefined ? {} : { baseline };
  const after = sorted.filter((p) => Date.parse(p.observedAt) > merged);
  const inWindow = after.filter((p) => Date.parse(p.observedAt) < deadline);
  const closing = after.find((p) => Date.parse(p.observedAt) >= deadline);
  if (e.condition.type === "baseline" && baseline === undefined) {
    const state = closing ? "inconclusive" : "watching";
    return { state, reason: "no points before the merge to take a baseline from", evidence: [], ...base };
  }
  const judged = inWindow.map((p) => point(p, holds(e.condition, p.value, baseline)));
  if (e.mode === "within") {
    const good = judged.find((p) => p.holds);
    if (good) return { state: "met", reason: `held at ${good.observedAt}`, evidence: [good], ...base };
    if (!closing)
      return {
        state: "watching",
        reason: "no point after the merge holds yet",
        evidence: judged.slice(-5),
        ...base,
      };
    const last = point(closing, holds(e.condition, closing.value, baseline));
    if (last.holds) return { state: "met", reason: `held at ${last.observedAt}`, evidence: [last], ...base };
    return {
      state: "violated",
      reason: `did not hold by the deadline (${e.duration} after the merge)`,
      evidence: [...judged.slice(-4), last],
      ...base,
    };
  }
  const bad = judged.find((p) => !p.holds);
  if (bad)
    return {
      state: "violated",
      reason: `failed at ${bad.observedAt}, within ${e.duration} of the merge`,
      evidence: [...judged.filter((p) => p.holds).slice(-4), bad],
      ...base,
    };
  if (!closing)
    return {
      state: "watching",
      reason: `held at every point so far (${judged.length})`,
      evidence: judged.slice(-5),
      ...base,
    };
  if (judged.length === 0)
    return {
      state: "inconclusive",
      reason: `no points arrived in the ${e.duration} after the merge`,
      evidence: [],
      ...base,
    };
  return {
    state: "met",
    reason: `held at all ${judged.length} points for ${e.duration}`,
    evidence: judged.slice(-5),
    ...base,
  };
}
