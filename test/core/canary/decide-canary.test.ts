import { describe, expect, it } from "vitest";
import { type CanarySeries, decideCanary } from "../../../src/core/canary/decide-canary.js";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import type { Annotation } from "../../../src/core/triage/annotations.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";

const MERGE = new Date("2026-03-10T00:00:00Z");
const HOUR = 3_600_000;
const config = ConfigSchema.parse({});
const REPO = "acme/pipeline";

/** Hourly points: `before` values ending just before the merge, then `after` values from the merge on. */
function points(
  before: number[],
  after: number[],
  breachedBefore: (i: number) => boolean = () => false,
): Evaluation[] {
  const at = (ms: number) => new Date(ms).toISOString();
  return [
    ...before.map((value, i) => ({
      observedAt: at(MERGE.getTime() - (before.length - i) * 6 * HOUR),
      metric: "row_count",
      value,
      breached: breachedBefore(i),
      expected: false,
      severity: "warning" as const,
    })),
    ...after.map((value, i) => ({
      observedAt: at(MERGE.getTime() + (i + 1) * 6 * HOUR),
      metric: "row_count",
      value,
      breached: false,
      expected: false,
      severity: "warning" as const,
    })),
  ];
}

const volume = (pts: Evaluation[], column = "revenue"): CanarySeries => ({
  tableId: "fct_orders",
  column,
  metric: "row_count",
  kind: "volume",
  points: pts,
});

const annotation = (from: string, to: string): Annotation => ({
  id: "ann-sale",
  repo: REPO,
  dataset: "fct_*",
  kind: "event",
  from,
  to,
  note: "spring sale",
  author: "analyst",
  createdAt: "2026-03-01T00:00:00Z",
});

const healthy = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101];
const base = { repo: REPO, mergedAt: MERGE, config, annotations: [] as Annotation[] };
const watchRevenue = [{ tableId: "fct_orders", column: "revenue" }];

describe("decideCanary", () => {
  it.each([
    {
      name: "a drop that starts after the merge is a regression attributed to it",
      series: [volume(points(healthy, [65, 64, 66, 65]))],
      annotations: [],
      verdict: "regression",
      evidence:
        "`fct_orders.revenue` `row_count` −35% since this merge, 4 point(s) after vs median of 10 before",
    },
    {
      name: "values within the limits are clean",
      series: [volume(points(healthy, [99, 101, 100]))],
      annotations: [],
      verdict: "clean",
      evidence:
        "`fct_orders.revenue` `row_count` unchanged, 3 point(s) after vs median of 10 before, within limits",
    },
    {
      name: "a window with no point after the merge has no signal",
      series: [volume(points(healthy, []))],
      annotations: [],
      verdict: "no-signal",
      evidence: "`fct_orders.revenue` `row_count`: no point after the merge",
    },
    {
      name: "a regression an annotation covers is explained, not attributed",
      series: [volume(points(healthy, [65, 64, 66, 65]))],
      annotations: [annotation("2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z")],
      verdict: "explained",
      evidence:
        "`fct_orders.revenue` `row_count` breached after this merge inside annotated window(s) `ann-sale`: not attributed",
    },
    {
      name: "a regression already breaching before the merge is not attributed",
      series: [volume(points([...healthy, 60, 61], [62, 60, 61], (i) => i >= 10))],
      annotations: [],
      verdict: "regression-before-merge",
      evidence:
        "`fct_orders.revenue` `row_count` was already breaching before this merge (2 point(s) in a row up to 2026-03-09T18:00:00.000Z): not attributed to it",
    },
    {
      name: "a single breach is not a regression (hysteresis: two in a row)",
      series: [volume(points(healthy, [65, 100, 64, 101]))],
      annotations: [],
      verdict: "clean",
      evidence:
        "`fct_orders.revenue` `row_count` −18%, 4 point(s) after vs median of 10 before, within limits",
    },
    {
      name: "too little history before the merge for a relative limit has no signal",
      series: [volume(points([100, 101], [50, 40]))],
      annotations: [],
      verdict: "no-signal",
      evidence: "`fct_orders.revenue` `row_count`: 2 healthy point(s) before the merge, 3 needed",
    },
  ])("$name", ({ series, annotations, verdict, evidence }) => {
    const report = decideCanary({
      ...base,
      annotations,
      watched: watchRevenue,
      series,
      now: new Date("2026-03-14T00:00:00Z"),
    });
    expect(report.results).toHaveLength(1);
    expect(report.results[0]?.verdict).toBe(verdict);
    expect(report.results[0]?.evidence).toBe(evidence);
    expect(report.complete).toBe(true);
  });

  it("ignores points after the window and says the window is still running before its end", () => {
    const late = points(healthy, [100, 100]).concat(
      [65, 64].map((value, i) => ({
        observedAt: new Date(MERGE.getTime() + (80 + i) * HOUR).toISOString(),
        metric: "row_count",
        value,
        breached: false,
        expected: false,
        severity: "warning" as const,
      })),
    );
    const report = decideCanary({
      ...base,
      watched: watchRevenue,
      series: [volume(late)],
      now: new Date("2026-03-11T00:00:00Z"),
    });
    expect(report.results[0]?.verdict).toBe("clean");
    expect(report.complete).toBe(false);
    expect(report.windowEnds).toBe("2026-03-13T00:00:00.000Z");
  });

  it("summarises the window: clean columns, and names those without signal instead of claiming success", () => {
    const watched = Array.from({ length: 7 }, (_, i) => ({ tableId: "fct_orders", column: `c${i}` }));
    const series = watched.slice(0, 6).map((w) => volume(points(healthy, [100, 99]), w.column));
    const report = decideCanary({ ...base, watched, series, now: new Date("2026-03-14T00:00:00Z") });
    expect(report.summary).toBe(
      "no regression on 6 watched columns over 3 days; no signal for `fct_orders.c6`",
    );
    expect(report.commentAtEnd).toBe(true);
    const all = decideCanary({
      ...base,
      watched: watched.slice(0, 6),
      series,
      now: new Date("2026-03-14T00:00:00Z"),
    });
    expect(all.summary).toBe("no regression on 6 watched columns over 3 days");
  });

  it("stays quiet at the end of a clean window only when canary.quiet is set", () => {
    const quiet = ConfigSchema.parse({ canary: { quiet: true, window: "2d" } });
    const clean = [volume(points(healthy, [100]))];
    const report = decideCanary({ ...base, config: quiet, watched: watchRevenue, series: clean, now: MERGE });
    expect(report.commentAtEnd).toBe(false);
    expect(report.summary).toBe("no regression on 1 watched column over 2 days");
    const silent = decideCanary({ ...base, config: quiet, watched: watchRevenue, series: [], now: MERGE });
    expect(silent.commentAtEnd).toBe(true);
    expect(silent.summary).toBe(
      "no signal for any of the 1 watched column(s) over 2 days: the canary cannot tell",
    );
  });

  it("reports regressions in the summary, and does nothing when canary is off", () => {
    const report = decideCanary({
      ...base,
      watched: watchRevenue,
      series: [volume(points(healthy, [140, 141]))],
      now: MERGE,
    });
    expect(report.summary).toBe("regression on 1 of 1 watched column(s) over 3 days: `fct_orders.revenue`");
    const off = decideCanary({
      ...base,
      config: ConfigSchema.parse({ canary: "off" }),
      watched: watchRevenue,
      series: [],
      now: MERGE,
    });
    expect(off.enabled).toBe(false);
    expect(off.results).toEqual([]);
  });
});
