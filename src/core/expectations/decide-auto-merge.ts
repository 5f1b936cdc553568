import type { ImpactConclusion } from "../impact/decide-conclusion.js";
import type { ImpactReport } from "../impact/impact-report.js";

/** What GitHub says of the revert pull request, and what its impact check concluded. */
export type AutoMergeFacts = {
  readonly state: "open" | "closed";
  readonly merged: boolean;
  /** The branch head now, and the commit Backflow wrote there. */
  readonly headSha: string;
  readonly writtenSha: string;
  /** GitHub computes mergeability in the background: null until it has. */
  readonly mergeable: boolean | null;
  readonly mergeableState?: string;
  readonly impact?: { readonly conclusion: ImpactConclusion; readonly verdict?: ImpactReport["verdict"] };
  /** True on the job's last attempt: waiting is no longer an answer. */
  readonly lastAttempt: boolean;
};

export type AutoMergeDecision =
  | { readonly action: "merge" }
  /** Ask again later (GitHub has not computed mergeability yet). */
  | { readonly action: "wait"; readonly reason: string }
  /** Leave the revert for people, saying why. */
  | { readonly action: "leave"; readonly reason: string }
  /** Someone already merged or closed it: nothing to do or say. */
  | { readonly action: "done"; readonly reason: string };

/**
 * The decision that needs no impact check: the revert is merged, closed, or no longer as Backflow
 * wrote it. Undefined when the impact check must be run (and then `decideAutoMerge` decides).
 */
export function decideBeforeImpact(
  facts: Pick<AutoMergeFacts, "merged" | "state" | "headSha" | "writtenSha">,
): AutoMergeDecision | undefined {
  if (facts.merged) return { action: "done", reason: "it is already merged" };
  if (facts.state === "closed") return { action: "done", reason: "someone closed it" };
  if (facts.headSha !== facts.writtenSha)
    return {
      action: "leave",
      reason: `its branch has commits Backflow did not write (head ${facts.headSha.slice(0, 8)})`,
    };
  return undefined;
}

/**
 * Whether `rollback: auto` may merge a revert now. Only a revert exactly as Backflow wrote it, whose
 * impact check is green (success, or neutral for a non-breaking change), whose other checks pass and
 * which GitHub says merges cleanly. Everything else is left for review with the reason; branch
 * protection is still GitHub's to enforce when the merge is attempted.
 */
export function decideAutoMerge(facts: AutoMergeFacts): AutoMergeDecision {
  const early = decideBeforeImpact(facts);
  if (early) return early;
  const impact = facts.impact;
  if (!impact) return { action: "leave", reason: "its impact check could not run" };
  const green =
    impact.conclusion === "success" || (impact.conclusion === "neutral" && impact.verdict !== "breaking");
  if (!green) {
    const what = impact.verdict === "breaking" ? " (the revert is itself a breaking change)" : "";
    return { action: "leave", reason: `its impact check concluded \`${impact.conclusion}\`${what}` };
  }
  if (facts.mergeable === false || facts.mergeableState === "dirty")
    return { action: "leave", reason: "it does not merge cleanly into its base branch" };
  if (facts.mergeable === null) {
    return facts.lastAttempt
      ? { action: "leave", reason: "GitHub did not say whether it merges cleanly in time" }
      : { action: "wait", reason: "GitHub is still computing whether it merges cleanly" };
  }
  // Unstable: checks outside the required set are failing or still running; a rollback waits for CI
  // even where branch protection would not make it.
  if (facts.mergeableState === "unstable") {
    return facts.lastAttempt
      ? { action: "leave", reason: "other checks on it failed or did not finish in time" }
      : { action: "wait", reason: "other checks on it are failing or still running" };
  }
  return { action: "merge" };
}
