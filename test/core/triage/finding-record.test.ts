import { describe, expect, it } from "vitest";
import {
  decideDriftComment,
  type FindingRecordState,
  type JudgedSignal,
  mergeConcurrentFinding,
  nextFindingRecord,
} from "../../../src/core/triage/finding-record.js";
import { findingRecord } from "../../github/commands/fixtures.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const signal = { id: "s9", observedAt: "2026-11-25T11:00:00Z" };
const stored = findingRecord() as FindingRecordState;

function judged(
  over: {
    decision?: "open" | "update" | "resolve";
    severity?: string;
    record?: Partial<FindingRecordState> | null;
    comment?: boolean;
  } = {},
): JudgedSignal {
  return {
    finding: {
      ...stored.finding,
      decision: over.decision ?? "update",
      severity: (over.severity ?? "error") as "error",
      comment: over.comment ?? true,
    },
    record: over.record === null ? null : { ...stored, ...over.record },
    now: NOW,
    signal,
  };
}

describe("decideDriftComment (comment hysteresis)", () => {
  it.each([
    ["a repeated breach", {}, "still-breached"],
    ["a severity change", { severity: "warning" }, "severity"],
    ["a decision that is not update", { decision: "open" as const }, null],
    ["a finding triage said needs no comment", { comment: false }, null],
    ["a first signal (no record)", { record: null }, null],
    ["a snoozed finding", { record: { snoozedUntil: new Date("2026-11-26T00:00:00Z") } }, null],
    ["an expired snooze", { record: { snoozedUntil: new Date("2026-11-24T00:00:00Z") } }, "still-breached"],
    ["the signal already commented on (a retried job)", { record: { lastCommentSignalId: "s9" } }, null],
    [
      "the same observation under another id",
      { record: { lastCommentAt: new Date(signal.observedAt) } },
      null,
    ],
  ])("for %s: %s", (_case, over, expected) => {
    expect(decideDriftComment(judged(over))).toBe(expected);
  });
});

describe("nextFindingRecord (record transitions)", () => {
  const write = { action: "updated", number: 7, bodyHash: "h9", commented: false };
  it.each([
    [
      "open stays open: openedAt kept",
      "open",
      { state: "open" as const },
      { openedAt: stored.openedAt, resolvedAt: null },
    ],
    [
      "resolved reopens: openedAt now",
      "open",
      { state: "resolved" as const },
      { openedAt: NOW, resolvedAt: null },
    ],
    [
      "open resolves: resolvedAt now",
      "resolved",
      { state: "open" as const },
      { openedAt: stored.openedAt, resolvedAt: NOW },
    ],
  ] as const)("%s", (_case, state, record, expected) => {
    expect(nextFindingRecord(judged({ record }), write, state)).toMatchObject({
      state,
      ...expected,
      issueNumber: 7,
      bodyHash: "h9",
    });
  });

  it("records the comment in signal time when the write commented or created the issue", () => {
    for (const w of [
      { ...write, commented: true },
      { ...write, action: "created" },
    ])
      expect(nextFindingRecord(judged(), w, "open")).toMatchObject({
        lastCommentAt: new Date(signal.observedAt),
        lastCommentSignalId: "s9",
      });
    expect(nextFindingRecord(judged(), write, "open").lastCommentSignalId).toBe(stored.lastCommentSignalId);
  });
});

describe("mergeConcurrentFinding", () => {
  const next = nextFindingRecord(
    judged(),
    { action: "updated", number: 1, bodyHash: "h9", commented: true },
    "open",
  );
  it("keeps a person's resolve and snooze made while triage ran, with triage's issue fields", () => {
    const fresh = { ...stored, state: "resolved" as const, resolvedAt: NOW, snoozedUntil: NOW };
    expect(mergeConcurrentFinding(stored, fresh, next)).toMatchObject({
      state: "resolved",
      resolvedAt: NOW,
      snoozedUntil: NOW,
      bodyHash: "h9",
      lastCommentSignalId: "s9",
    });
  });
  it("keeps triage's state when only the snooze changed", () => {
    const fresh = { ...stored, snoozedUntil: NOW };
    expect(mergeConcurrentFinding(stored, fresh, next)).toMatchObject({ state: "open", snoozedUntil: NOW });
  });
});
