import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import { adaptSignals } from "../../../src/core/signals/detect-format.js";
import { type Signal, SignalSchema } from "../../../src/core/signals/signal-schema.js";
import type { Annotation } from "../../../src/core/triage/annotations.js";
import {
  DecisionSchema,
  FindingSchema,
  findingKeyOf,
  triageSignal,
} from "../../../src/core/triage/triage-signal.js";
import { ctx, loadSignalFixture } from "../signals/fixture.js";
import { graph } from "./graph.js";
import { history, signal } from "./signal.js";

const config = ConfigSchema.parse({ signals: { datasets: { "shop.main.orders": "marts.orders" } } });
const repo = "acme/shop";
const nullRate = (value: number, over: Partial<Signal> = {}) =>
  signal({
    column: "revenue",
    measurement: { metric: "nullRate", kind: "completeness", value, unit: "ratio" },
    ...over,
  });

describe("triageSignal", () => {
  it("opens on an error breach with the matched table, reason and suspects", () => {
    const finding = triageSignal({
      signal: nullRate(0.2, { severity: "error" }),
      repo,
      config,
      graph,
      history: [],
      annotations: [],
    });
    expect(FindingSchema.parse(finding)).toEqual(finding);
    expect(finding).toMatchObject({
      tableId: "fct_revenue",
      match: "exact",
      column: "revenue",
      kind: "completeness",
      breached: true,
      decision: "open",
      comment: true,
      observed: 0.2,
      threshold: { from: "default", max: 0.01 },
    });
    expect(finding.reason).toBe("nullRate = 0.2 is above the maximum 0.01");
    expect(finding.suspects.map((s) => s.table)).toEqual(["fct_revenue", "stg_payments", "raw.payments"]);
    expect(finding.evaluation).toMatchObject({ metric: "nullRate", value: 0.2, unit: "ratio" });
  });

  it("waits for a second warning breach before opening", () => {
    const first = triageSignal({ signal: nullRate(0.2), repo, config, graph, history: [], annotations: [] });
    expect(first.decision).toBe("none");
    const second = triageSignal({
      signal: nullRate(0.3, { id: "s-2", observedAt: "2026-11-25T06:00:00.000Z" }),
      repo,
      config,
      graph,
      history: [first.evaluation],
      annotations: [],
    });
    expect(second.decision).toBe("open");
  });

  it("records a breach covered by an annotation as expected", () => {
    const annotation: Annotation = {
      id: "bf",
      repo,
      dataset: "fct_*",
      kind: "event",
      from: "2026-11-20T00:00:00Z",
      note: "Black Friday",
      author: "@ana",
      createdAt: "2026-11-01T00:00:00Z",
    };
    const finding = triageSignal({
      signal: nullRate(0.2, { severity: "error" }),
      repo,
      config,
      graph,
      history: [],
      annotations: [annotation],
    });
    expect(finding.decision).toBe("expected");
    expect(finding.comment).toBe(false);
    expect(finding.annotations).toEqual([{ id: "bf", kind: "event", note: "Black Friday", author: "@ana" }]);
    expect(finding.evaluation.expected).toBe(true);
  });

  it("does not apply another repository's annotation", () => {
    const other: Annotation = {
      id: "x",
      repo: "acme/other",
      dataset: "*",
      kind: "event",
      note: "",
      author: "@b",
      createdAt: "2026-11-01T00:00:00Z",
    };
    const finding = triageSignal({
      signal: nullRate(0.2, { severity: "error" }),
      repo,
      config,
      graph,
      history: [],
      annotations: [other],
    });
    expect(finding.decision).toBe("open");
  });

  it("reports an ambiguous dataset as unmatched with candidates", () => {
    const finding = triageSignal({
      signal: nullRate(0.2, { dataset: { name: "analytics.orders" }, column: "order_id" }),
      repo,
      config,
      graph,
      history: [],
      annotations: [],
    });
    expect(finding).toMatchObject({
      decision: "unmatched",
      match: "unmatched",
      candidates: ["marts.orders", "staging.orders"],
      comment: false,
    });
    expect(finding.reason).toContain("2 tables");
  });

  it("resolves after the metric recovers", () => {
    const past = history("nullRate", [0.2, 0.3, 0.001], [0, 1]).map((e) => ({
      ...e,
      severity: "error" as const,
    }));
    const finding = triageSignal({
      signal: nullRate(0.002),
      repo,
      config,
      graph,
      history: past,
      annotations: [],
    });
    expect(finding.decision).toBe("resolve");
    expect(finding.suspects).toEqual([]);
  });

  it("puts a dbt not_null failure and a null-rate breach on the same column into one finding", () => {
    const [dbt] = adaptSignals(loadSignalFixture("dbt-bundle.json"), ctx);
    if (!dbt) throw new Error("fixture");
    const rate = signal({
      dataset: { name: "marts.orders" },
      column: "customer_id",
      measurement: { metric: "null_rate", kind: "completeness", value: 0.1 },
    });
    expect(findingKeyOf({ signal: dbt, repo, config, graph }).fingerprint).toBe(
      findingKeyOf({ signal: rate, repo, config, graph }).fingerprint,
    );
  });

  it("triages every fixture signal without throwing", () => {
    const files = [
      "openlineage-dbt-assertions.json",
      "gx-validation-1x.json",
      "dbt-run-results.json",
      "alertmanager.json",
      "datacontract-cli.json",
      "dbt-sources.json",
      "openlineage-metrics.json",
    ];
    for (const file of files) {
      for (const s of adaptSignals(loadSignalFixture(file), ctx)) {
        const finding = triageSignal({ signal: s, repo, config, graph, history: [], annotations: [] });
        expect(DecisionSchema.options).toContain(finding.decision);
      }
    }
  });
});

const text = fc.string({ minLength: 1, maxLength: 30 });
const iso = fc
  .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
  .map((d) => d.toISOString());
const arbSignal: fc.Arbitrary<Signal> = fc
  .record({
    id: text,
    observedAt: iso,
    type: fc.constantFrom("check_failed", "metric_breach", "freshness_breach", "schema_change", "run_failed"),
    status: fc.constantFrom("firing", "resolved"),
    severity: fc.constantFrom("info", "warning", "error"),
    dataset: fc.record({
      name: fc.oneof(text, fc.constantFrom("fct_revenue", "orders", "x.stg_payments", "raw.payments")),
      dbtUniqueId: fc.option(fc.constantFrom("model.p.fct_revenue", "source.p.raw.payments", "weird"), {
        nil: undefined,
      }),
    }),
    column: fc.option(fc.oneof(text, fc.constantFrom("revenue", "amount", "order_id")), { nil: undefined }),
    measurement: fc.option(
      fc.record({
        metric: fc.oneof(text, fc.constantFrom("nullRate", "rowCount", "psi", "accuracy", "latency")),
        kind: fc.constantFrom(
          "freshness",
          "completeness",
          "volume",
          "consistency",
          "drift",
          "performance",
          "custom",
        ),
        value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined }),
        unit: fc.option(fc.constantFrom("rows", "percent", "ratio", "h", "m"), { nil: undefined }),
        threshold: fc.option(
          fc.record({ mustBeLessThan: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
          { nil: undefined },
        ),
      }),
      { nil: undefined },
    ),
    message: fc.string({ maxLength: 50 }),
  })
  .map((r) => SignalSchema.parse({ ...r, source: { kind: "backflow" } }));

describe("triageSignal properties", () => {
  it("never throws on a valid signal and always returns a valid finding", () => {
    fc.assert(
      fc.property(
        arbSignal,
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 8 }),
        (s, values) => {
          const past = history(s.measurement?.metric ?? "x", values);
          const finding = triageSignal({ signal: s, repo, config, graph, history: past, annotations: [] });
          expect(FindingSchema.safeParse(finding).success).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the same fingerprint whatever the signal's id, time, status or arrival order", () => {
    fc.assert(
      fc.property(
        arbSignal,
        text,
        iso,
        fc.constantFrom("firing", "resolved"),
        (s, id, observedAt, status) => {
          const again = { ...s, id, observedAt, status } as Signal;
          const a = findingKeyOf({ signal: s, repo, config, graph }).fingerprint;
          const b = findingKeyOf({ signal: again, repo, config, graph }).fingerprint;
          expect(b).toBe(a);
        },
      ),
    );
  });

  it("decides the same whatever order the history arrives in", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.integer(), (flags, seed) => {
        const past = history(
          "nullRate",
          flags.map((b) => (b ? 0.5 : 0)),
          flags.flatMap((b, i) => (b ? [i] : [])),
        );
        const shuffled = [...past].sort(
          (a, b) => ((a.signalId ?? "") + seed).localeCompare((b.signalId ?? "") + seed) || 0,
        );
        const s = nullRate(0.5, { observedAt: "2026-12-31T00:00:00.000Z" });
        const one = triageSignal({ signal: s, repo, config, graph, history: past, annotations: [] });
        const two = triageSignal({
          signal: s,
          repo,
          config,
          graph,
          history: shuffled.reverse(),
          annotations: [],
        });
        expect(two.decision).toBe(one.decision);
      }),
    );
  });
});
