import { describe, expect, it } from "vitest";
import { createMetrics, MetricsRegistry } from "../../src/server/metrics.js";

describe("MetricsRegistry", () => {
  it("renders HELP, TYPE and one sample per label set", async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter("demo_total", "A demo counter.", ["event"]);
    counter.inc({ event: "push" });
    counter.inc({ event: "push" }, 2);
    counter.inc({ event: "pull_request" });

    const text = await registry.render();

    expect(text).toBe(
      [
        "# HELP demo_total A demo counter.",
        "# TYPE demo_total counter",
        'demo_total{event="push"} 3',
        'demo_total{event="pull_request"} 1',
        "",
      ].join("\n"),
    );
  });

  it("escapes backslashes, quotes and newlines in label values and help text", async () => {
    const registry = new MetricsRegistry();
    registry.counter("x_total", "line one\nline \\two", ["v"]).inc({ v: 'a"b\\c\nd' });

    const text = await registry.render();

    expect(text).toContain("# HELP x_total line one\\nline \\\\two");
    expect(text).toContain('x_total{v="a\\"b\\\\c\\nd"} 1');
  });

  it("shows a zero sample for a family nothing has touched", async () => {
    const registry = new MetricsRegistry();
    registry.counter("idle_total", "Never incremented.");

    expect(await registry.render()).toContain("\nidle_total 0\n");
  });

  it("reads collected gauges at scrape time and reports NaN when the collector fails", async () => {
    let queued = 3;
    const ok = createMetrics({ queuedJobs: async () => queued });
    expect(await ok.registry.render()).toContain("backflow_jobs_queued 3");
    queued = 5;
    expect(await ok.registry.render()).toContain("backflow_jobs_queued 5");

    const broken = createMetrics({ queuedJobs: async () => Promise.reject(new Error("closed")) });
    expect(await broken.registry.render()).toContain("backflow_jobs_queued NaN");
  });

  it.each([
    ["an undeclared label", () => new MetricsRegistry().counter("a_total", "h", ["x"]).inc({ y: "1" })],
    ["a negative increment", () => new MetricsRegistry().counter("b_total", "h").inc({}, -1)],
    ["an invalid name", () => new MetricsRegistry().counter("bad-name", "h")],
    [
      "a duplicate name",
      () => {
        const r = new MetricsRegistry();
        r.counter("c_total", "h");
        r.counter("c_total", "h");
      },
    ],
  ])("refuses %s", (_name, act) => {
    expect(act).toThrow();
  });
});
