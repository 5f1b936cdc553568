// The one scheme every fuzz test (test/fuzz/*.fuzz.test.ts) follows:
// - `npm test` runs a small, bounded number of cases per property (FUZZ_RUNS unset);
// - `npm run fuzz` runs the same files with FUZZ_RUNS=2000 (or any FUZZ_RUNS=<n> you set);
// - a failure prints fast-check's seed and path; replay it with FUZZ_SEED=<seed> FUZZ_PATH=<path>.
import type { Parameters as FcParameters } from "fast-check";

/** Cases per property: FUZZ_RUNS from the environment, else `fallback` (small, for `npm test`). */
export function fuzzRuns(fallback = 40): number {
  const raw = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(raw) && raw > 0 ? raw : fallback;
}

/**
 * fast-check parameters for one property: the run count above, a replayable seed and path when
 * FUZZ_SEED / FUZZ_PATH are set, and verbose failure reports (the seed and the counterexample).
 * @example fc.assert(fc.property(arb, check), fuzzParameters());
 */
export function fuzzParameters<T>(fallbackRuns = 40): FcParameters<T> {
  const seed = Number(process.env.FUZZ_SEED);
  const path = process.env.FUZZ_PATH;
  return {
    numRuns: fuzzRuns(fallbackRuns),
    verbose: 1,
    ...(Number.isInteger(seed) && process.env.FUZZ_SEED !== "" ? { seed } : {}),
    ...(path ? { path } : {}),
  };
}

/** A test timeout that grows with the run count: `perRunMs` per case, at least 20 s. */
export function fuzzTimeoutMs(perRunMs: number, fallbackRuns = 40): number {
  return Math.max(20_000, fuzzRuns(fallbackRuns) * perRunMs + 5_000);
}
