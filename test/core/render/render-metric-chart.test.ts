import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFixed, formatNumber } from "../../../src/core/render/format-number.js";
import {
  MAX_X_LABELS,
  renderHistory,
  renderMetricChart,
} from "../../../src/core/render/render-metric-chart.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";
import { history } from "../triage/signal.js";
import { parseMermaid } from "./mermaid-parser.js";

function points(values: readonly number[], start = Date.UTC(2026, 10, 1), stepMs = 86_400_000): Evaluation[] {
  return values.map((value, i) => ({
    observedAt: new Date(start + i * stepMs).toISOString(),
    metric: "m",
    value,
    breached: false,
    expected: false,
    severity: "warning" as const,
  }));
}

const xLabels = (chart: string) =>
  JSON.parse(/x-axis (\[.*\])/.exec(chart)?.[1] ?? "[]").filter(
    (l: string) => l.replace(/\u200b/g, "") !== "",
  );

describe("formatNumber", () => {
  it.each([
    [0.93, "0.93"],
    [-4e-7, "-0.0000004"],
    [1.19e21, "1190000000000000000000"],
    [12345.678, "12350"],
    [1e-10, "0.0000000001"],
    [-0, "0"],
    [Number.POSITIVE_INFINITY, "infinity"],
    [Number.NEGATIVE_INFINITY, "minus infinity"],
    [Number.NaN, "not a number"],
  ])("writes %s as %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it("never writes exponent form for any finite number", () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 12 }),
        (v, d) => {
          expect(formatNumber(v)).toMatch(/^-?\d+(\.\d+)?$/);
          expect(formatFixed(v, d)).toMatch(/^-?\d+(\.\d+)?$/);
        },
      ),
    );
  });
});

describe("renderHistory", () => {
  it("says one measurement in a sentence instead of drawing an empty chart", () => {
    const text = renderHistory({ metric: "completeness", history: points([0.93]), threshold: { min: 0.99 } });
    expect(text).toBe(
      "One measurement so far: completeness **0.93** at 2026-11-01 00:00 UTC against a minimum 0.99. A chart appears from the second measurement.",
    );
    expect(text).not.toContain("mermaid");
  });

  it("says when no measurement is a number", () => {
    expect(renderHistory({ metric: "m", history: [] })).toContain("No numeric measurement yet");
  });

  it("captions the chart with its range and names the threshold line", () => {
    const text = renderHistory({
      metric: "completeness",
      history: history("completeness", [0.995, 0.991, 0.93], [2]),
      threshold: { min: 0.99 },
    });
    expect(text).toContain(
      "_3 measurements from 2026-11-01 00:00 UTC to 2026-11-03 00:00 UTC. Blue line: completeness; red line: the minimum 0.99._",
    );
  });

  it("says how many older points it left out", () => {
    const text = renderHistory({ metric: "m", history: points(Array.from({ length: 45 }, (_, i) => i)) });
    expect(text).toContain("_the last 30 of 45 measurements from");
  });
});

describe("renderMetricChart", () => {
  it("draws the metric and the threshold as flat lines with a y range around both", () => {
    const chart = renderMetricChart({
      metric: "completeness",
      history: [...history("completeness", [0.995, 0.991, 0.93])].reverse(),
      threshold: { min: 0.99 },
    });
    const lines = chart?.split("\n") ?? [];
    expect(lines).toContain('      plotColorPalette: "#0969da, #cf222e"');
    expect(lines).toContain('  x-axis ["11-01 00:00", "11-02 00:00", "11-03 00:00"]');
    expect(lines).toContain('  y-axis "completeness" 0.92 --> 1.01');
    expect(lines).toContain("  line [0.995, 0.991, 0.93]");
    expect(lines).toContain("  line [0.99, 0.99, 0.99]");
    expect(renderMetricChart({ metric: "m", history: points([1]) })).toBeNull();
  });

  it("thins the x labels to what fits and keeps them distinct", () => {
    const chart =
      renderMetricChart({ metric: "m", history: points(Array.from({ length: 30 }, (_, i) => i)) }) ?? "";
    const all = JSON.parse(/x-axis (\[.*\])/.exec(chart)?.[1] ?? "[]") as string[];
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    expect(xLabels(chart).length).toBeLessThanOrEqual(MAX_X_LABELS);
    expect(xLabels(chart).at(-1)).toBe("11-30");
  });

  it("carries the year when the range spans years", () => {
    const chart =
      renderMetricChart({
        metric: "m",
        history: points([1, 2, 3], Date.UTC(2025, 11, 30), 2 * 86_400_000),
      }) ?? "";
    expect(xLabels(chart)).toEqual(["2025-12-30", "2026-01-01", "2026-01-03"]);
  });

  it("tells apart values closer than four significant digits", () => {
    const chart =
      renderMetricChart({ metric: "m", history: points([0.9999991, 0.9999992, 0.9999995]) }) ?? "";
    expect(chart).toContain("line [0.9999991, 0.9999992, 0.9999995]");
  });
});

describe("every chart parses with the real Mermaid 11 parser", () => {
  const cases: Array<[string, number[], { min?: number; max?: number }?]> = [
    ["two points", [0.5, 0.6]],
    ["many points", Array.from({ length: 30 }, (_, i) => Math.sin(i) * 100), { min: -50, max: 50 }],
    ["tiny values", [-4e-7, 3e-9, 1e-12], { max: 1e-7 }],
    ["huge values", [1.19e21, 3e22, -1e25], { min: 1e20 }],
    ["negative values", [-5, -3.25, -100], { max: -4 }],
    ["non-finite among finite", [Number.NaN, 1, Number.POSITIVE_INFINITY, 2, Number.NEGATIVE_INFINITY]],
    ["identical values", [7, 7, 7], { min: 7 }],
    ["huge threshold", [1, 2], { max: 1e30 }],
  ];
  it.each(cases)("%s", async (_name, values, threshold) => {
    const chart = renderMetricChart({
      metric: 'odd "label" [x] #1; 50%: {y}',
      history: points(values),
      ...(threshold ? { threshold } : {}),
    });
    expect(chart).not.toBeNull();
    expect(chart).not.toMatch(/e[+-]?\d|Infinity|NaN/);
    expect(await parseMermaid(chart ?? "")).toEqual({ ok: true, type: "xychart" });
  });

  it("any finite history (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 2, maxLength: 40 }),
        fc.string({ maxLength: 30 }),
        async (values, metric) => {
          const chart = renderMetricChart({
            metric,
            history: points(values),
            threshold: { min: values[0] ?? 0 },
          });
          expect(await parseMermaid(chart ?? "")).toEqual({ ok: true, type: "xychart" });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("the parser does reject what Mermaid cannot draw", async () => {
    expect((await parseMermaid('xychart-beta\n  y-axis "v" -4e-7 --> 1\n  line [1]')).ok).toBe(false);
  });
});
