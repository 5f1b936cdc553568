import type { ImpactReport } from "../core/impact/impact-report.js";
import type { FailOn } from "./action-inputs.js";

/**
 * Whether the Action fails its step (exit 1) for an impact report, by `fail-on`:
 * - `breaking`: when the App's check run would fail: a blocking breaking verdict (undecided changes
 *   count as breaking; `impact.severity: warn` makes them non-blocking), or problems in the pull
 *   request's `expects:` block;
 * - `unknown`: only when a change could not be decided (under `fail` severity) or the `expects:`
 *   block has problems; decided breaking changes are reported but pass;
 * - `never`: the step reports and passes.
 */
export function failsStep(
  report: Pick<ImpactReport, "verdict" | "blocking" | "changes" | "contractChanges">,
  failOn: FailOn,
  expectsProblems = 0,
): boolean {
  if (failOn === "never") return false;
  if (expectsProblems > 0) return true;
  if (failOn === "breaking") return report.verdict === "breaking" && report.blocking;
  return [...report.changes, ...report.contractChanges].some(
    (c) => c.class === "unknown" && c.severity === "fail",
  );
}
