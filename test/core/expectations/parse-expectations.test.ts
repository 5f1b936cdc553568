import { describe, expect, it } from "vitest";
import { hasExpectsBlock, parseExpectations } from "../../../src/core/expectations/parse-expectations.js";

const block = (lines: string[], tag = "expects") =>
  ["Fixes the null customer ids.", "", `\`\`\`${tag}`, ...lines, "```", "", "Thanks"].join("\n");

describe("parseExpectations", () => {
  it.each([
    [
      "- metric: completeness(orders.customer_id) >= 0.99 within 3d",
      {
        metric: "completeness",
        dataset: "orders",
        column: "customer_id",
        condition: { type: "compare", operator: ">=", value: 0.99 },
        mode: "within",
        duration: "3d",
        durationMs: 3 * 86_400_000,
      },
    ],
    [
      "- metric: volume(orders) within 5% of baseline for 7d",
      {
        metric: "volume",
        dataset: "orders",
        condition: { type: "baseline", tolerance: 0.05 },
        mode: "for",
        duration: "7d",
      },
    ],
    [
      "* metric: null_rate(raw.shop.orders.email) < 1e-3 for 12h",
      { dataset: "raw.shop.orders", column: "email", condition: { operator: "<", value: 0.001 } },
    ],
    [
      "- metric: latency( fct_orders ) <= 6 within 1w",
      { dataset: "fct_orders", condition: { operator: "<=", value: 6 } },
    ],
    [
      "- Metric: accuracy(model_scores) == 1 within 30m",
      { condition: { operator: "==", value: 1 }, durationMs: 1_800_000 },
    ],
  ])("parses %s", (line, expected) => {
    const { expectations, problems } = parseExpectations(block([line]));
    expect(problems).toEqual([]);
    expect(expectations[0]).toMatchObject({ line: 4, ...expected });
  });

  it("reads a plain fenced block whose first line is `expects:`, and a tag with a colon", () => {
    const body = [
      "```yaml",
      "expects:",
      "  - metric: volume(orders) > 10 within 1d",
      "```",
      "```expects:",
      "- metric: volume(items) > 1 for 1d",
      "```",
    ].join("\n");
    expect(parseExpectations(body).expectations.map((e) => [e.dataset, e.line])).toEqual([
      ["orders", 3],
      ["items", 6],
    ]);
  });

  it("ignores other code blocks and text outside blocks", () => {
    const body = "- metric: volume(orders) > 1 within 1d\n```sql\nselect 1\n```";
    expect(parseExpectations(body)).toEqual({ expectations: [], problems: [] });
    expect(hasExpectsBlock(body)).toBe(false);
    expect(hasExpectsBlock(block([]))).toBe(true);
  });

  it.each([
    ["volume(orders) > 1 within 1d", "expected `- metric: …`"],
    ["- metric: volume orders > 1 within 1d", "expected `<metric>(<dataset>[.<column>])`"],
    ["- metric: volume(orders) => 1 within 1d", "expected a comparison"],
    ["- metric: completeness(orders.id) >= 99% within 1d", "without `%`"],
    ["- metric: volume(orders) > 1", "expected `within <duration>` or `for <duration>`"],
    ["- metric: volume(orders) > 1 within 3 days", "expected `within <duration>`"],
    ["- metric: volume(orders) > 1 within 3y", "is not a duration"],
  ])("explains %s", (line, message) => {
    const { expectations, problems } = parseExpectations(block(["- metric: volume(ok) > 1 within 1d", line]));
    expect(expectations).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(5);
    expect(problems[0]?.message).toContain(message);
  });
});
