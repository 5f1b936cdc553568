/** A closed drift issue is reopened by a new breach within this window; later, a new issue links it. */
export const REOPEN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** What a new breach does to the finding's closed issue: reopen it, open a new one linking it, or leave it. */
export type ClosedIssueDecision = "reopen" | "create" | "leave";

/**
 * The reopen policy. Within 7 days of the close the issue is reopened, unless a person closed it as
 * not planned: then it stays closed, except when the breach is past a limit learned from that very
 * close (news: a new issue linking it). After 7 days, a new issue links the old one.
 * @example decideClosedIssue({ closedAt, stateReason: "completed", thresholdFrom: "config", now }) // "reopen"
 */
export function decideClosedIssue(input: {
  readonly closedAt: Date | null;
  readonly stateReason: string | null;
  /** Where the breached limit came from (`learned`: relaxed after a "not planned" close). */
  readonly thresholdFrom: string;
  readonly now: Date;
}): ClosedIssueDecision {
  const recent = input.closedAt !== null && input.now.getTime() - input.closedAt.getTime() < REOPEN_WINDOW_MS;
  if (!recent) return "create";
  if (input.stateReason !== "not_planned") return "reopen";
  return input.thresholdFrom === "learned" ? "create" : "leave";
}
