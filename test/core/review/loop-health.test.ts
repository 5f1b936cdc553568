import { describe, expect, it } from "vitest";
import { histogramOf, summarizeLoopHealth } from "../../../src/core/review/loop-health.js";
import { createStoreMetrics } from "../../../src/server/metrics.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { simulateQuarter } from "./simulate-quarter.js";

const t = (iso: string) => new Date(iso);

describe("histogramOf", () => {
  it.each([
    [[], [0, 0, 0, 0, 0, 0, 0], 0],
    [[60, 3600, 3601, 5_000_000], [2, 3, 3, 3, 3, 3, 4], 5_007_261],
  ])("%j → cumulative buckets %j, sum %d", (values, counts, sum) => {
    const h = histogramOf(values);
    expect(h.buckets.map((b) => b.count)).toEqual(counts);
    expect(h.buckets.at(-1)?.le).toBe("+Inf");
    expect(h.sum).toBe(sum);
    expect(h.count).toBe(values.length);
  });
});

describe("summarizeLoopHealth", () => {
  it("counts findings by state, expectations by verdict and every finished episode's duration", () => {
    const health = summarizeLoopHealth([
      {
        findings: [
          {
            fingerprint: "a",
            state: "open",
            issueNumber: 1,
            openedAt: null,
            resolvedAt: null,
            finding: { dataset: "d", metric: "m", suspects: [] },
          },
        ],
        audit: [
          {
            at: t("2026-01-01T00:00:00Z"),
            actor: "backflow",
            action: "drift.created",
            target: "a",
            detail: {},
          },
          {
            at: t("2026-01-01T02:00:00Z"),
            actor: "backflow",
            action: "drift.closed",
            target: "a",
            detail: {},
          },
          {
            at: t("2026-01-02T00:00:00Z"),
            actor: "backflow",
            action: "drift.reopened",
            target: "a",
            detail: {},
          },
        ],
        expectations: [
          {
            pr: 1,
            mergedAt: t("2025-12-31T00:00:00Z"),
            fingerprint: "a",
            state: "violated",
            revertPr: 2,
            updatedAt: t("2026-01-01T00:00:00Z"),
          },
        ],
        history: {
          a: [
            {
              observedAt: "2025-12-31T12:00:00Z",
              metric: "m",
              value: 1,
              breached: true,
              expected: false,
              severity: "warning",
            },
          ],
        },
      },
    ]);
    expect(health.findingsByState).toEqual({ open: 1, resolved: 0 });
    expect(health.expectationsByVerdict).toEqual({ watching: 0, met: 0, violated: 1, inconclusive: 0 });
    expect(health.timeToResolveSeconds).toEqual([7200]);
    expect(health.timeToDetectSeconds).toEqual([43_200, 43_200]);
  });
});

describe("/metrics loop health", () => {
  it("exports findings, expectations, canaries and duration histograms read from the store", async () => {
    const store = openSqliteStore(":memory:");
    await simulateQuarter(store);
    const text = await createStoreMetrics(store, {
      clock: () => t("2026-04-01T00:00:00Z"),
    }).registry.render();
    await store.close();
    expect(text).toContain('backflow_loop_findings{state="open"} 1');
    expect(text).toContain('backflow_loop_findings{state="resolved"} 2');
    expect(text).toContain('backflow_loop_expectations{verdict="met"} 1');
    expect(text).toContain('backflow_loop_expectations{verdict="violated"} 1');
    // The quarter's canaries: #10 and #12 regressed, #13 clean, #14 silent, #15 still running.
    expect(text).toContain('backflow_loop_canaries{outcome="regressed"} 2');
    expect(text).toContain('backflow_loop_canaries{outcome="clean"} 1');
    expect(text).toContain('backflow_loop_canaries{outcome="no-signal"} 1');
    expect(text).toContain('backflow_loop_canaries{outcome="watching"} 1');
    expect(text).toContain('backflow_loop_time_to_resolve_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('backflow_loop_time_to_resolve_seconds_bucket{le="259200"} 2');
    expect(text).toContain("backflow_loop_time_to_detect_seconds_count 2");
    expect(text).toContain(`backflow_loop_time_to_detect_seconds_sum ${30 * 3600 + 18 * 3600}`);
  });
});
