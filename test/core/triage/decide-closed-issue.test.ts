import { describe, expect, it } from "vitest";
import { decideClosedIssue } from "../../../src/core/triage/decide-closed-issue.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

describe("decideClosedIssue", () => {
  it.each([
    ["reopens an issue closed as completed 2 days ago", daysAgo(2), "completed", "config", "reopen"],
    ["reopens an issue closed without a reason 6.9 days ago", daysAgo(6.9), null, "config", "reopen"],
    ["opens a new issue when the close is 8 days old", daysAgo(8), "completed", "config", "create"],
    ["opens a new issue at exactly 7 days", daysAgo(7), "completed", "config", "create"],
    ["opens a new issue when the close date is unknown", null, "completed", "config", "create"],
    ["leaves a recent 'not planned' close alone", daysAgo(1), "not_planned", "config", "leave"],
    [
      "opens a new issue past a limit learned from that close",
      daysAgo(1),
      "not_planned",
      "learned",
      "create",
    ],
    ["opens a new issue for an old 'not planned' close", daysAgo(30), "not_planned", "config", "create"],
  ] as const)("%s", (_name, closedAt, stateReason, thresholdFrom, expected) => {
    expect(decideClosedIssue({ closedAt, stateReason, thresholdFrom, now: NOW })).toBe(expected);
  });
});
