import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import {
  renderLearnedComment,
  renderNothingLearnedComment,
  renderUnlearnedComment,
} from "../../../src/core/triage/describe-tolerance.js";
import {
  applyLearnedTolerance,
  type LearnedEntry,
  type LearnedTolerance,
  LearnedToleranceSchema,
  withLearnedEntry,
  withoutIssue,
} from "../../../src/core/triage/learned-tolerance.js";
import type { ResolvedThreshold } from "../../../src/core/triage/thresholds.js";
import { FindingSchema, triageSignal } from "../../../src/core/triage/triage-signal.js";
import { graph } from "./graph.js";
import { history, signal } from "./signal.js";

const entry = (over: Partial<LearnedEntry> = {}): LearnedEntry => ({
  issue: 1,
  metric: "completeness",
  closedBy: "alice",
  closedAt: "2026-11-30T10:00:00Z",
  old: { min: 0.99 },
  worst: { min: 0.93 },
  learned: { min: 0.927 },
  breaches: 3,
  ...over,
});
const tolerance = (...entries: LearnedEntry[]): LearnedTolerance => ({ fingerprint: "fp", entries });

describe("applyLearnedTolerance", () => {
  const cases: Array<{
    name: string;
    resolved: ResolvedThreshold;
    entries: LearnedEntry[];
    rule: Record<string, number>;
    from: string;
  }> = [
    {
      name: "moves a min down",
      resolved: { rule: { min: 0.99, direction: "down" }, from: "config" },
      entries: [entry()],
      rule: { min: 0.927 },
      from: "learned",
    },
    {
      name: "moves a max up",
      resolved: { rule: { max: 0.01, direction: "both" }, from: "default" },
      entries: [entry({ old: { max: 0.01 }, worst: { max: 0.05 }, learned: { max: 0.052 } })],
      rule: { max: 0.052 },
      from: "learned",
    },
    {
      name: "widens a z-score limit",
      resolved: { rule: { zscore: 3, direction: "both" }, from: "default" },
      entries: [entry({ old: { zscore: 3 }, worst: { zscore: 6 }, learned: { zscore: 6.15 } })],
      rule: { zscore: 6.15 },
      from: "learned",
    },
    {
      name: "widens a relative limit",
      resolved: { rule: { relative: 0.3, direction: "both" }, from: "default" },
      entries: [entry({ old: { relative: 0.3 }, worst: { relative: 0.6 }, learned: { relative: 0.615 } })],
      rule: { relative: 0.615 },
      from: "learned",
    },
    {
      name: "takes the loosest of repeated closes",
      resolved: { rule: { min: 0.99, direction: "down" }, from: "config" },
      entries: [entry(), entry({ issue: 2, old: { min: 0.927 }, learned: { min: 0.84 } })],
      rule: { min: 0.84 },
      from: "learned",
    },
    {
      name: "never tightens a limit the config loosened since",
      resolved: { rule: { min: 0.8, direction: "down" }, from: "config" },
      entries: [entry()],
      rule: { min: 0.8 },
      from: "config",
    },
    {
      name: "does not bring back a limit the rule no longer has",
      resolved: { rule: { max: 5, direction: "both" }, from: "config" },
      entries: [entry()],
      rule: { max: 5 },
      from: "config",
    },
    {
      name: "ignores what another metric of the fingerprint taught",
      resolved: { rule: { min: 0.99, direction: "down" }, from: "config" },
      entries: [entry({ metric: "nullRate" })],
      rule: { min: 0.99 },
      from: "config",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const applied = applyLearnedTolerance(c.resolved, tolerance(...c.entries), "completeness");
      expect(applied.rule).toMatchObject(c.rule);
      expect(applied.from).toBe(c.from);
      expect(applied.learnedOver).toBe(c.from === "learned" ? c.resolved.from : undefined);
    });
  }

  it("leaves the threshold alone without a tolerance", () => {
    const resolved: ResolvedThreshold = { rule: { min: 0.99, direction: "down" }, from: "config" };
    expect(applyLearnedTolerance(resolved, undefined, "completeness")).toBe(resolved);
  });

  it("never makes any limit stricter (property)", () => {
    const bound = fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: undefined });
    const bounds = fc.record({ min: bound, max: bound, relative: bound, zscore: bound });
    fc.assert(
      fc.property(bounds, bounds, (rule, learned) => {
        const clean = (b: typeof rule) =>
          Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined));
        const resolved: ResolvedThreshold = { rule: { ...clean(rule), direction: "both" }, from: "config" };
        const out = applyLearnedTolerance(
          resolved,
          tolerance(entry({ learned: clean(learned) })),
          "completeness",
        ).rule;
        return (
          (rule.min === undefined ? out.min === undefined : (out.min ?? Number.NaN) <= rule.min) &&
          (rule.max === undefined ? out.max === undefined : (out.max ?? Number.NaN) >= rule.max) &&
          (rule.zscore === undefined
            ? out.zscore === undefined
            : (out.zscore ?? Number.NaN) >= rule.zscore) &&
          (rule.relative === undefined
            ? out.relative === undefined
            : (out.relative ?? Number.NaN) >= rule.relative)
        );
      }),
    );
  });
});

describe("learned tolerance records", () => {
  it("replaces an issue's entry on a second close and drops it on reopen", () => {
    const once = withLearnedEntry(undefined, "fp", entry());
    const twice = withLearnedEntry(once, "fp", entry({ learned: { min: 0.9 } }));
    expect(twice.entries.map((e) => e.learned)).toEqual([{ min: 0.9 }]);
    const both = withLearnedEntry(twice, "fp", entry({ issue: 2 }));
    expect(LearnedToleranceSchema.parse(both)).toEqual(both);
    expect(withoutIssue(both, 1)?.entries.map((e) => e.issue)).toEqual([2]);
    expect(withoutIssue(twice, 1)).toBeUndefined();
  });
});

describe("triageSignal with a learned tolerance", () => {
  const config = ConfigSchema.parse({
    signals: {
      thresholds: [{ dataset: "fct_revenue", column: "revenue", metric: "completeness", min: 0.99 }],
    },
  });
  const completeness = (value: number, over: Partial<Signal> = {}) =>
    signal({
      column: "revenue",
      severity: "error",
      measurement: { metric: "completeness", kind: "completeness", value },
      ...over,
    });
  const judge = (value: number, learned?: LearnedTolerance, cfg = config) =>
    triageSignal({
      signal: completeness(value),
      repo: "acme/shop",
      config: cfg,
      graph,
      history: history("completeness", [0.995, 0.996]),
      annotations: [],
      ...(learned ? { learned } : {}),
    });

  it("accepts the value people declined and says the limit was learned", () => {
    const finding = judge(0.93, tolerance(entry()));
    expect(finding).toMatchObject({
      breached: false,
      decision: "none",
      threshold: { from: "learned", learnedOver: "config", min: 0.927 },
    });
    expect(FindingSchema.parse(finding)).toEqual(finding);
  });

  it("still opens on a value beyond the learned limit", () => {
    const finding = judge(0.8, tolerance(entry()));
    expect(finding).toMatchObject({
      breached: true,
      decision: "open",
      threshold: { from: "learned", min: 0.927 },
    });
    expect(finding.reason).toBe("completeness = 0.8 is below the minimum 0.927");
  });

  it("ignores learned tolerances when signals.learnFromClosed is off", () => {
    const off = ConfigSchema.parse({ ...config, signals: { ...config.signals, learnFromClosed: false } });
    expect(judge(0.93, tolerance(entry()), off)).toMatchObject({
      breached: true,
      threshold: { from: "config", min: 0.99 },
    });
  });

  it("turns learning on by default", () => {
    expect(ConfigSchema.parse({}).signals.learnFromClosed).toBe(true);
  });
});

describe("tolerance comments", () => {
  it("says what was learned and how to undo it", () => {
    expect(renderLearnedComment(entry())).toBe(
      "Closed as not planned: `completeness` below 0.99 down to 0.93 is now treated as expected for this finding (limit now minimum 0.927; a worse value still opens an issue). To undo: reopen this issue.",
    );
  });

  it("names each relaxed limit", () => {
    const text = renderLearnedComment(
      entry({
        old: { relative: 0.3, zscore: 3 },
        worst: { relative: 0.6, zscore: 6 },
        learned: { relative: 0.615, zscore: 6.15 },
      }),
    );
    expect(text).toContain(
      "`completeness` up to 60% from its baseline (beyond 30%); `completeness` up to |z| = 6",
    );
    expect(text).toContain("are now treated as expected");
    expect(text).toContain("limit now at most 61.5% from the baseline, |z| at most 6.15");
  });

  it("says the limit is back, or which other close still applies, on reopen", () => {
    expect(renderUnlearnedComment(entry(), [])).toBe(
      "Reopened: Backflow no longer treats `completeness` below 0.99 down to 0.93 as expected for this finding; the limit is back to minimum 0.99.",
    );
    expect(renderUnlearnedComment(entry(), [entry({ issue: 7 })])).toContain("what #7 taught still applies");
  });

  it("escapes a metric name that came from outside", () => {
    // A code span that the backtick inside cannot close: GitHub neither pings @team nor renders <b> there.
    const comment = renderLearnedComment(entry({ metric: "x` @team <b>" }));
    expect(comment).toContain("``x` @team <b>``");
    expect(comment.replace("``x` @team <b>``", "")).not.toMatch(/@team|<b>/);
    expect(renderNothingLearnedComment("no measured breach")).toContain("learned no tolerance");
  });
});
