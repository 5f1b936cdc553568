import type { Evaluation } from "../triage/evaluation-schema.js";
import {
  canaryCauses,
  type ReviewCanary,
  type ReviewExpectation,
  type ReviewFinding,
} from "./build-review-report.js";
import { detectMs, findingEpisodes, type ReviewAuditEntry } from "./finding-episodes.js";

/** One repository's facts the loop's health is computed from (a subset of the review's input). */
export type LoopFacts = {
  readonly findings: readonly ReviewFinding[];
  readonly audit: readonly ReviewAuditEntry[];
  readonly expectations: readonly ReviewExpectation[];
  /** History points of the findings an expectation names (for time to detect), by fingerprint. */
  readonly history: Readonly<Record<string, readonly Evaluation[]>>;
  /** Post-merge canaries (absent: none read); a regressed one also names the cause of its findings. */
  readonly canaries?: readonly ReviewCanary[];
};

/** A canary's outcome (`watching` while its window runs). */
export type CanaryOutcome = "watching" | "clean" | "regressed" | "no-signal";

/** Prometheus-ready figures of the feedback loop, summed over repositories. */
export type LoopHealth = {
  readonly findingsByState: Readonly<Record<"open" | "resolved", number>>;
  readonly expectationsByVerdict: Readonly<Record<"watching" | "met" | "violated" | "inconclusive", number>>;
  readonly canariesByOutcome: Readonly<Record<CanaryOutcome, number>>;
  /** Durations in seconds of every finished episode (opened → resolved). */
  readonly timeToResolveSeconds: readonly number[];
  /** Seconds from a recorded causing merge to the first breach after it, per episode where known. */
  readonly timeToDetectSeconds: readonly number[];
};

/** Upper bounds (seconds) of the loop's duration histograms: 1 h, 6 h, 1 d, 3 d, 7 d, 30 d. */
export const LOOP_DURATION_BUCKETS = [3600, 21_600, 86_400, 259_200, 604_800, 2_592_000] as const;

/**
 * The loop's health from each repository's findings, audit trail, expectations and canaries: findings
 * by state, expectations by verdict, canaries by outcome, and the time-to-resolve and time-to-detect durations, as the
 * review computes them but over all recorded time.
 */
export function summarizeLoopHealth(repos: readonly LoopFacts[]): LoopHealth {
  const findingsByState = { open: 0, resolved: 0 };
  const expectationsByVerdict = { watching: 0, met: 0, violated: 0, inconclusive: 0 };
  const canariesByOutcome = { watching: 0, clean: 0, regressed: 0, "no-signal": 0 };
  const resolve: number[] = [];
  const detect: number[] = [];
  for (const facts of repos) {
    for (const f of facts.findings) findingsByState[f.state]++;
    for (const x of facts.expectations) expectationsByVerdict[x.state]++;
    for (const c of facts.canaries ?? []) canariesByOutcome[c.state]++;
    const causes = [...facts.expectations, ...canaryCauses(facts.canaries ?? [])];
    for (const e of findingEpisodes(facts.findings, facts.audit)) {
      if (e.end) resolve.push((e.end.getTime() - e.start.getTime()) / 1000);
      const ms = detectMs(e, causes, facts.history[e.fingerprint] ?? []);
      if (ms !== null) detect.push(ms / 1000);
    }
  }
  return {
    findingsByState,
    expectationsByVerdict,
    canariesByOutcome,
    timeToResolveSeconds: resolve,
    timeToDetectSeconds: detect,
  };
}

/** Cumulative bucket counts (`le` → count, `+Inf` last), the sum and the count of durations. */
export function histogramOf(values: readonly number[], buckets: readonly number[] = LOOP_DURATION_BUCKETS) {
  return {
    buckets: [
      ...buckets.map((le) => ({ le: String(le), count: values.filter((v) => v <= le).length })),
      { le: "+Inf", count: values.length },
    ],
    sum: values.reduce((a, b) => a + b, 0),
    count: values.length,
  };
}
