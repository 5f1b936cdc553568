import { codeSpan } from "../render/escape-markdown.js";
import { evaluateExpectation } from "./evaluate-expectation.js";
import type { Expectation, ExpectationVerdict } from "./expectation-schema.js";
import { type EvaluationPoint, selectMetricPoints } from "./select-metric-points.js";

/**
 * An expectation's verdict from its fingerprint's evaluations: the points of its metric (see
 * `selectMetricPoints`) judged by `evaluateExpectation`. When the evaluations carry only other
 * metrics, nothing is judged on them: it keeps watching, and once a signal at or past the deadline
 * has arrived it is inconclusive, with a reason naming the metrics the signals did carry.
 */
export function judgeExpectation(input: {
  expectation: Expectation;
  evaluations: readonly EvaluationPoint[];
  mergedAt: string;
}): ExpectationVerdict {
  const { expectation: e } = input;
  const selection = selectMetricPoints({ metric: e.metric, evaluations: input.evaluations });
  if (!selection.mismatch)
    return evaluateExpectation({ expectation: e, points: selection.points, mergedAt: input.mergedAt });
  const deadline = Date.parse(input.mergedAt) + e.durationMs;
  const closed = input.evaluations.some((p) => Date.parse(p.observedAt) >= deadline);
  return {
    state: closed ? "inconclusive" : "watching",
    reason: `no points for ${codeSpan(e.metric)}: ${selection.mismatch}`,
    evidence: [],
  };
}
