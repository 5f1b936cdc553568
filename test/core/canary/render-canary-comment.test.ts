import { describe, expect, it } from "vitest";
import { decideCanary } from "../../../src/core/canary/decide-canary.js";
import { renderCanaryComment } from "../../../src/core/canary/render-canary-comment.js";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";
import { readGolden } from "../../golden/golden-file.js";

const MERGE = new Date("2026-03-10T00:00:00Z");
const series = (column: string, before: number[], after: number[]) => ({
  tableId: "fct_orders",
  column,
  metric: "row_count",
  kind: "volume" as const,
  points: [
    ...before.map(
      (value, i): Evaluation => ({
        observedAt: new Date(MERGE.getTime() - (before.length - i) * 21_600_000).toISOString(),
        metric: "row_count",
        value,
        breached: false,
        expected: false,
        severity: "warning",
      }),
    ),
    ...after.map(
      (value, i): Evaluation => ({
        observedAt: new Date(MERGE.getTime() + (i + 1) * 21_600_000).toISOString(),
        metric: "row_count",
        value,
        breached: false,
        expected: false,
        severity: "warning",
      }),
    ),
  ],
});
const healthy = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101];
const watched = ["revenue", "status", "customer_id"].map((column) => ({ tableId: "fct_orders", column }));
const input = (now: string, config = ConfigSchema.parse({})) => ({
  repo: "acme/pipeline",
  watched,
  mergedAt: MERGE,
  now: new Date(now),
  config,
  annotations: [],
  series: [series("revenue", healthy, [65, 64, 66, 65]), series("status", healthy, [100, 101])],
});

describe("renderCanaryComment", () => {
  it("comments a regression during the window with the evidence sentence", () => {
    const body = renderCanaryComment({
      report: decideCanary(input("2026-03-11T12:00:00Z")),
      repo: "acme/pipeline",
      pr: 42,
    });
    const golden = readGolden("canary-regression.md", body ?? "");
    expect(body).toBe(golden);
    expect(golden.startsWith("<!-- backflow:canary acme/pipeline#42 regression -->\n")).toBe(true);
    expect(golden).toContain(
      "**canary:** `fct_orders.revenue` `row_count` −35% since this merge, 4 point(s) after vs median of 10 before.",
    );
    expect(golden).not.toContain("status");
  });

  it("summarises the window at its end, naming the column without signal", () => {
    const body = renderCanaryComment({
      report: decideCanary(input("2026-03-13T00:00:00Z")),
      repo: "acme/pipeline",
      pr: 42,
    });
    const golden = readGolden("canary-end.md", body ?? "");
    expect(body).toBe(golden);
    expect(golden).toContain("<!-- backflow:canary acme/pipeline#42 end -->");
    expect(golden).toContain(
      "**canary:** regression on 1 of 3 watched column(s) over 3 days: `fct_orders.revenue`.",
    );
    expect(golden).toContain("| `fct_orders.customer_id` | – | no signal |");
    expect(golden).toContain("| `fct_orders.status` | row\\_count | clean |");
  });

  it("says nothing while a clean window runs, nor at the end of a clean window under canary.quiet", () => {
    const clean = {
      ...input("2026-03-11T00:00:00Z"),
      watched: watched.slice(1, 2),
      series: [series("status", healthy, [100])],
    };
    expect(renderCanaryComment({ report: decideCanary(clean), repo: "r/p", pr: 1 })).toBeNull();
    const quiet = ConfigSchema.parse({ canary: { quiet: true } });
    expect(
      renderCanaryComment({
        report: decideCanary({ ...clean, config: quiet, now: new Date("2026-03-14T00:00:00Z") }),
        repo: "r/p",
        pr: 1,
      }),
    ).toBeNull();
    const loud = renderCanaryComment({
      report: decideCanary({ ...clean, now: new Date("2026-03-14T00:00:00Z") }),
      repo: "r/p",
      pr: 1,
    });
    expect(loud).toContain("**canary:** no regression on 1 watched column over 3 days.");
  });
});
