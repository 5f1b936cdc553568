import { describe, expect, it } from "vitest";
import { type AutoMergeFacts, decideAutoMerge } from "../../../src/core/expectations/decide-auto-merge.js";

const SHA = "a".repeat(40);
const clean: AutoMergeFacts = {
  state: "open",
  merged: false,
  headSha: SHA,
  writtenSha: SHA,
  mergeable: true,
  mergeableState: "clean",
  impact: { conclusion: "success", verdict: "none" },
  lastAttempt: false,
};

describe("decideAutoMerge", () => {
  it.each<[string, Partial<AutoMergeFacts>, string, RegExp?]>([
    ["a clean revert with a successful impact check", {}, "merge"],
    [
      "a non-breaking revert that reaches downstream (neutral)",
      { impact: { conclusion: "neutral", verdict: "non-breaking" } },
      "merge",
    ],
    [
      "mergeability behind a required review (blocked): GitHub decides at merge time",
      { mergeableState: "blocked" },
      "merge",
    ],
    [
      "a breaking revert under warn severity (neutral)",
      { impact: { conclusion: "neutral", verdict: "breaking" } },
      "leave",
      /breaking/,
    ],
    [
      "a breaking revert that needs sign-off",
      { impact: { conclusion: "action_required", verdict: "breaking" } },
      "leave",
      /action_required/,
    ],
    ["an impact check that failed", { impact: { conclusion: "failure" } }, "leave", /failure/],
    ["no impact check", { impact: undefined }, "leave", /could not run/],
    ["a branch someone pushed to", { headSha: "b".repeat(40) }, "leave", /did not write/],
    ["a conflicting revert", { mergeable: false, mergeableState: "dirty" }, "leave", /merge cleanly/],
    ["mergeability not computed yet", { mergeable: null }, "wait", /computing/],
    [
      "mergeability not computed on the last attempt",
      { mergeable: null, lastAttempt: true },
      "leave",
      /in time/,
    ],
    ["other checks still running or failing", { mergeableState: "unstable" }, "wait", /other checks/],
    [
      "other checks not green by the last attempt",
      { mergeableState: "unstable", lastAttempt: true },
      "leave",
      /other checks/,
    ],
    ["a revert people merged", { merged: true, state: "closed" }, "done"],
    ["a revert people closed", { state: "closed" }, "done"],
  ])("%s → %s", (_name, facts, action, reason) => {
    const decision = decideAutoMerge({ ...clean, ...facts });
    expect(decision.action).toBe(action);
    if (reason && "reason" in decision) expect(decision.reason).toMatch(reason);
  });

  it("never merges what it was not shown to be green", () => {
    for (const conclusion of ["neutral", "failure", "action_required"] as const) {
      const decision = decideAutoMerge({ ...clean, impact: { conclusion, verdict: "breaking" } });
      expect(decision.action).not.toBe("merge");
    }
  });
});
