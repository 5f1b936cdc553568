import type { ImpactReport } from "./impact-report.js";

/** The button a blocking breaking check run offers to owners. GitHub caps labels at 20 characters. */
export const ACKNOWLEDGE_ACTION = {
  label: "Acknowledge breaking",
  description: "Accept this impact for this pull request",
  identifier: "ack-breaking",
} as const;

export type ImpactConclusion = "success" | "neutral" | "failure" | "action_required";

/** Who signed off on a breaking impact, and when (ISO 8601). */
export type Acknowledgement = { readonly by: string; readonly at: string };

/**
 * The check run conclusion for a report: failure when the pull request's `expects:` block has
 * problems (whatever the impact, even acknowledged: an invalid line would silently go unwatched after
 * merge); otherwise success when nothing downstream or contracted is affected (or an owner
 * acknowledged the breaking change), neutral for other non-breaking changes and for breaking ones
 * under `warn` severity, otherwise the configured conclusion for breaking changes.
 * A valid `expects:` block never changes the conclusion.
 */
export function decideConclusion(
  report: Pick<ImpactReport, "verdict" | "blocking" | "affected" | "contracts">,
  options: {
    breakingConclusion: "action_required" | "failure";
    acknowledgement?: Acknowledgement;
    /** How many problems the pull request's `expects:` block has (0 or absent: none, or no block). */
    expectsProblems?: number;
  },
): ImpactConclusion {
  if ((options.expectsProblems ?? 0) > 0) return "failure";
  if (report.verdict === "none") return "success";
  if (report.verdict === "non-breaking") {
    const reachesOthers = report.contracts.length > 0 || report.affected.some((a) => !a.changed);
    return reachesOthers ? "neutral" : "success";
  }
  if (options.acknowledgement) return "success";
  return report.blocking ? options.breakingConclusion : "neutral";
}

/** True when the report asks for an owner's acknowledgement (the check run then offers the button). */
export function needsAcknowledgement(report: Pick<ImpactReport, "verdict" | "blocking">): boolean {
  return report.verdict === "breaking" && report.blocking;
}
