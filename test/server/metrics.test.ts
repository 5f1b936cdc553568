import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import {
  countSignalIntake,
  createMetrics,
  createStoreMetrics,
  MetricsRegistry,
} from "../../src/server/metrics.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

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

describe("store metrics", () => {
  it("shows jobs by state (dead letters), the queue's age and the breaker state per host", async () => {
    const store = openSqliteStore(":memory:");
    const now = new Date("2025-01-01T00:10:00Z");
    await store.jobs.enqueue({ kind: "a", payload: null, now: new Date(now.getTime() - 90_000) });
    await store.jobs.enqueue({ kind: "b", payload: null, runAt: new Date(now.getTime() + 60_000), now });
    const dead = await store.jobs.enqueue({
      kind: "c",
      payload: null,
      now: new Date(now.getTime() - 200_000),
    });
    const claimed = await store.jobs.claim({ workerId: "w", now, leaseMs: 1000, kinds: ["c"] });
    await store.jobs.fail({
      id: dead.job.id,
      workerId: "w",
      leaseToken: claimed?.leaseToken,
      error: "x",
      retryAt: null,
      now,
    });
    const metrics = createStoreMetrics(store, {
      clock: () => now,
      breakers: () => [{ host: "api.github.com", status: "open" }],
    });
    const text = await metrics.registry.render();
    expect(text).toContain('backflow_jobs{state="queued"} 2');
    expect(text).toContain('backflow_jobs{state="dead"} 1');
    expect(text).toContain("backflow_jobs_queued 2");
    // The oldest due job waited 90 s; the one scheduled later does not count.
    expect(text).toContain("backflow_jobs_queue_age_seconds 90");
    expect(text).toContain('backflow_github_breaker_state{host="api.github.com"} 2');
    await store.close();
  });

  it("counts the signal intake's answers by outcome, and nothing for requests it does not answer", async () => {
    const metrics = createMetrics();
    const answer = (status: number | null) =>
      countSignalIntake(async (_req: IncomingMessage, res: ServerResponse) => {
        if (status === null) return false;
        res.statusCode = status;
        return true;
      }, metrics);
    const res = { statusCode: 200 } as ServerResponse;
    const req = {} as IncomingMessage;
    for (const status of [202, 202, 200, 401, 413, 500, 503, 503, null]) await answer(status)(req, res);
    expect(metrics.signalIntake.get({ outcome: "accepted" })).toBe(2);
    expect(metrics.signalIntake.get({ outcome: "duplicate" })).toBe(1);
    expect(metrics.signalIntake.get({ outcome: "refused" })).toBe(2);
    // 503: the database was unreachable (the sender retries); not counted as an error.
    expect(metrics.signalIntake.get({ outcome: "unavailable" })).toBe(2);
    expect(metrics.signalIntake.get({ outcome: "error" })).toBe(1);
  });
});
