import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderDriftIssue } from "../../src/core/render/render-drift-issue.js";
import { adaptSignals } from "../../src/core/signals/detect-format.js";
import type { Signal } from "../../src/core/signals/signal-schema.js";
import type { Evaluation } from "../../src/core/triage/evaluation-schema.js";
import { triageSignal } from "../../src/core/triage/triage-signal.js";
import { ownersOfFinding, triageContextOf } from "../../src/github/drift/triage-context.js";
import { exampleScenario } from "../core/impact/example-scenarios.js";
import { liveMentions } from "../core/render/live-text.js";
import { mermaidBlocks, parseMermaid } from "../core/render/mermaid-parser.js";
import { readGolden, widestTable } from "./golden-file.js";

const { base, config } = exampleScenario("non-breaking");
const context = triageContextOf({ snapshot: { files: base }, config });
const SHA = "4f7c2d9e0b1a3c5d7e9f1a2b3c4d5e6f7a8b9c0d";

function signalsOf(file: string): Signal[] {
  const body = JSON.parse(readFileSync(new URL(`../../examples/signals/${file}`, import.meta.url), "utf8"));
  return adaptSignals(body, {
    source: "monitor",
    receivedAt: new Date("2026-11-24T07:00:00Z"),
    deliveryId: "d",
  });
}

function issueFor(signal: Signal, history: readonly Evaluation[] = []) {
  const finding = triageSignal({
    signal,
    repo: "acme/shop",
    config,
    graph: context.graph,
    history,
    annotations: [],
    contracts: context.slas,
  });
  const all = [...history, finding.evaluation];
  const issue = renderDriftIssue({
    finding,
    signal,
    history: all,
    owner: "acme",
    repo: "shop",
    sha: SHA,
    graph: context.graph,
    owners: ownersOfFinding(context, finding),
    commits: new Map(),
    commitDays: 14,
  });
  return `# ${issue.title}\n\n${issue.body}\n`;
}

/** Properties every drift issue has, whatever its kind. */
async function expectReadable(page: string): Promise<void> {
  const [title = "", , ...body] = page.split("\n");
  expect(body.join("\n")).not.toContain(title.slice(2));
  expect(widestTable(page)).toBeLessThanOrEqual(4);
  expect(liveMentions(page)).toEqual([]);
  expect(page).not.toMatch(/\(s\)/);
  for (const block of mermaidBlocks(page)) expect((await parseMermaid(block)).ok).toBe(true);
}

const completeness = signalsOf("fct_orders-customer_id-completeness.json")[0] as Signal;

function pointsBefore(values: readonly number[]): Evaluation[] {
  const end = Date.parse(completeness.observedAt);
  return values.map((value, i) => ({
    observedAt: new Date(end - (values.length - i) * 86_400_000).toISOString(),
    metric: "completeness",
    value,
    breached: value < 0.99,
    expected: false,
    severity: "warning" as const,
  }));
}

describe("drift issues, read as an owner would", () => {
  it("schema change (Elementary): titled by what the table lost or changed, with no threshold or chart", async () => {
    const signal = signalsOf("elementary-alerts-fct_orders.json").find(
      (s) => s.type === "schema_change",
    ) as Signal;
    const page = issueFor(signal);
    expect(page).toBe(readGolden("drift-schema-change.md", page));
    expect(page.split("\n")[0]).toBe(
      "# Schema change: dim_customers lifetime_value changed type from numeric to text",
    );
    expect(page).not.toMatch(/\|z\||baseline|History/);
    await expectReadable(page);
  });

  it("schema change (Soda): names each change instead of a check id", async () => {
    const signal = signalsOf("soda-scan-shop_daily.json").find((s) => s.type === "schema_change") as Signal;
    const title = issueFor(signal).split("\n")[0];
    expect(title).toBe(
      "# Schema change: dim_customers lost customer_segment, lifetime_value changed type from numeric to text",
    );
  });

  it("test failure: titled with the test and the column, with its failing rows", async () => {
    const signal = signalsOf("elementary-alerts-fct_orders.json").find(
      (s) => s.check?.type === "not_null",
    ) as Signal;
    const page = issueFor(signal);
    expect(page).toBe(readGolden("drift-test-failure.md", page));
    expect(page.split("\n")[0]).toBe("# Test failed: not_null on fct_orders.customer_id");
    expect(page).toContain("Test `not_null` failed on `fct_orders.customer_id` with 37 failing rows.");
    expect(page).not.toMatch(/from the baseline|\|z\|/);
    await expectReadable(page);
  });

  it("freshness: says how old the data is against its limit", async () => {
    const signal = signalsOf("soda-scan-shop_daily.json").find(
      (s) => s.type === "freshness_breach",
    ) as Signal;
    const page = issueFor(signal);
    expect(page).toBe(readGolden("drift-freshness.md", page));
    expect(page.split("\n")[0]).toMatch(/^# Freshness: fct_orders 36 (h|hours?) old/);
    await expectReadable(page);
  });

  it("one-point history: a sentence, not an empty chart", async () => {
    const page = issueFor(completeness);
    expect(page).toBe(readGolden("drift-one-point.md", page));
    expect(page.split("\n")[0]).toBe("# Completeness: fct_orders.customer_id 0.93 < 0.99");
    expect(page).toContain(
      "One measurement so far: completeness **0.93** at 2026-11-24 06:00 UTC against a minimum 0.99.",
    );
    expect(mermaidBlocks(page).filter((b) => b.includes("xychart"))).toEqual([]);
    await expectReadable(page);
  });

  it("30-point history: a chart of the last 30 with a caption naming the threshold line", async () => {
    const values = Array.from({ length: 29 }, (_, i) =>
      Number((0.995 - (i > 24 ? (i - 24) * 0.01 : 0)).toFixed(3)),
    );
    const page = issueFor(completeness, pointsBefore(values));
    expect(page).toBe(readGolden("drift-30-points.md", page));
    const [chart = ""] = mermaidBlocks(page).filter((b) => b.includes("xychart"));
    expect(chart).toContain("xychart-beta");
    expect(page).toMatch(/_30 measurements from .* Blue line: completeness; red line: the minimum 0\.99\._/);
    expect(await parseMermaid(chart)).toEqual({ ok: true, type: "xychart" });
    await expectReadable(page);
  });
});
