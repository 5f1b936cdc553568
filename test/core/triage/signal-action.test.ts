import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";
import type { FindingRecordState, JudgedSignal } from "../../../src/core/triage/finding-record.js";
import {
  afterIssueWrite,
  findingToWrite,
  historyWithout,
  needsSuspectCommits,
  planSignal,
} from "../../../src/core/triage/signal-action.js";
import { type Finding, findingKeyOf, triageSignal } from "../../../src/core/triage/triage-signal.js";
import { findingRecord } from "../../github/commands/fixtures.js";
import { graph } from "./graph.js";
import { signal as triageFixtureSignal } from "./signal.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const signal = { id: "s9", observedAt: "2026-11-25T11:00:00Z" };
const stored = findingRecord() as FindingRecordState;

type Decision = Finding["decision"];

function findingOf(decision: Decision, over: Partial<Finding> = {}): Finding {
  return { ...stored.finding, decision, ...over };
}

function judged(decision: Decision, record: Partial<FindingRecordState> | null = {}): JudgedSignal {
  return {
    finding: findingOf(decision),
    record: record === null ? null : { ...stored, ...record },
    now: NOW,
    signal,
  };
}

const write = (action: string, over: Partial<{ number: number | null; commented: boolean }> = {}) => ({
  action,
  number: 7,
  bodyHash: "h9",
  commented: false,
  ...over,
});

describe("planSignal (what a judged signal asks the writers for)", () => {
  it.each([
    ["open", { kind: "write-issue" }],
    ["update", { kind: "write-issue" }],
    ["resolve", { kind: "close-issue" }],
    ["none", { kind: "record", audit: null, warnUnmatched: false }],
  ] as const)("%s → %o", (decision, plan) => {
    expect(planSignal(findingOf(decision))).toEqual(plan);
  });

  it("audits an unmatched dataset with its candidates and warns, writing nothing to GitHub", () => {
    const finding = findingOf("unmatched", { dataset: "db.x", candidates: ["x", "y"], reason: "two tables" });
    expect(planSignal(finding)).toEqual({
      kind: "record",
      audit: {
        action: "drift.unmatched",
        detail: { dataset: "db.x", candidates: ["x", "y"], reason: "two tables" },
      },
      warnUnmatched: true,
    });
  });

  it("audits an expected breach with the annotations that cover it", () => {
    const annotations = [{ id: "a1" }, { id: "a2" }] as Finding["annotations"];
    expect(planSignal(findingOf("expected", { annotations }))).toEqual({
      kind: "record",
      audit: { action: "drift.expected", detail: { annotations: ["a1", "a2"] } },
      warnUnmatched: false,
    });
  });
});

describe("afterIssueWrite (record transition, audit and follow-up after the writer)", () => {
  it.each([
    // plan, writer action, record before, → state, audit action, opened
    ["write-issue", "created", null, "open", "drift.created", true],
    ["write-issue", "reopened", { state: "resolved" }, "open", "drift.reopened", true],
    ["write-issue", "updated", { state: "open" }, "open", "drift.updated", false],
    ["write-issue", "unchanged", { state: "open" }, "open", null, false],
    ["write-issue", "declined", { state: "open" }, "resolved", "drift.declined", false],
    ["write-issue", "dry-run", null, "open", "drift.dry-run", false],
    ["close-issue", "closed", { state: "open" }, "resolved", "drift.closed", false],
    ["close-issue", "none", { state: "open" }, "resolved", "drift.resolved", false],
    ["close-issue", "dry-run", { state: "open" }, "resolved", "drift.resolved", false],
  ] as const)(
    "%s, writer %s (record %o) → %s, audit %s, opened %s",
    (plan, action, record, state, audit, opened) => {
      const decision = plan === "close-issue" ? "resolve" : "open";
      const after = afterIssueWrite(judged(decision, record), plan, write(action));
      expect(after.record.state).toBe(state);
      expect(after.audit?.action ?? null).toBe(audit);
      expect(after.opened).toBe(opened);
      expect(after.record.issueNumber).toBe(7);
    },
  );

  it("keeps the known issue number when the writer reports none, and says which issue it audits", () => {
    const after = afterIssueWrite(
      judged("resolve", { issueNumber: 3 }),
      "close-issue",
      write("none", { number: null }),
    );
    expect(after.record.issueNumber).toBe(3);
    expect(after.audit).toEqual({ action: "drift.resolved", detail: { issue: null } });
  });

  it("audits an issue write with the finding's reason", () => {
    const after = afterIssueWrite(judged("open", null), "write-issue", write("created"));
    expect(after.audit).toEqual({
      action: "drift.created",
      detail: { issue: 7, reason: stored.finding.reason },
    });
  });
});

describe("findingToWrite (compare-and-set with a person's concurrent change)", () => {
  const next = { ...stored, bodyHash: "h9", state: "open" as const };
  it.each([
    ["first record ever", null, null, next],
    ["nothing changed since the read", stored, stored, next],
    ["the record vanished meanwhile", stored, null, next],
  ] as const)("%s: triage's record as it is", (_case, read, seen, expected) => {
    expect(findingToWrite(read, seen, next)).toBe(expected);
  });

  it("merges a resolve and snooze a person made meanwhile", () => {
    const seen = { ...stored, state: "resolved" as const, resolvedAt: NOW, snoozedUntil: NOW };
    expect(findingToWrite(stored, seen, next)).toMatchObject({
      state: "resolved",
      resolvedAt: NOW,
      snoozedUntil: NOW,
      bodyHash: "h9",
    });
  });
});

describe("historyWithout and needsSuspectCommits", () => {
  const point = (observedAt: string, value: number): Evaluation => ({
    observedAt,
    metric: "completeness",
    value,
    breached: true,
    expected: false,
    severity: "error",
  });
  it.each([
    ["the same observation sent under another id", "2026-11-25T11:00:00Z", 0.9, 0],
    ["the same time in another notation", "2026-11-25T11:00:00.000+00:00", 0.9, 0],
    ["another value at that time", "2026-11-25T11:00:00Z", 0.8, 1],
    ["the same value at another time", "2026-11-25T10:00:00Z", 0.9, 1],
  ])("drops %s? kept %i", (_case, at, value, kept) => {
    const history = [point(at, value)];
    expect(
      historyWithout(history, { observedAt: signal.observedAt, measurement: { value: 0.9 } }),
    ).toHaveLength(kept);
  });

  it.each([
    ["open", true],
    ["update", true],
    ["resolve", false],
    ["expected", false],
    ["unmatched", false],
    ["none", false],
  ] as const)("%s lists suspects' recent commits: %s", (decision, expected) => {
    expect(needsSuspectCommits({ decision })).toBe(expected);
  });
});

describe("triageSignal with the key its caller computed (findingKeyOf once per signal)", () => {
  it("judges under the given key and gives the same finding as computing it again", () => {
    const config = ConfigSchema.parse({ signals: { datasets: { "shop.main.orders": "marts.orders" } } });
    const input = {
      signal: triageFixtureSignal({
        column: "revenue",
        measurement: { metric: "nullRate", kind: "completeness", value: 0.2, unit: "ratio" },
        severity: "error",
      }),
      repo: "acme/shop",
      config,
      graph,
      history: [],
      annotations: [],
    };
    const key = findingKeyOf(input);
    expect(triageSignal({ ...input, key })).toEqual(triageSignal(input));
    // The given key is used as is (a dashboard re-triage keeps the finding it was asked about).
    expect(triageSignal({ ...input, key: { ...key, fingerprint: "f".repeat(64) } }).fingerprint).toBe(
      "f".repeat(64),
    );
  });
});
