import { describe, expect, it } from "vitest";
import { judgeExpectation } from "../../../src/core/expectations/judge-expectation.js";
import { parseExpectations } from "../../../src/core/expectations/parse-expectations.js";

const MERGED = "2026-11-10T00:00:00Z";
const at = (hours: number) => new Date(Date.parse(MERGED) + hours * 3_600_000).toISOString();

function expectation(line: string) {
  const e = parseExpectations(`\`\`\`expects\n- metric: ${line}\n\`\`\``).expectations[0];
  if (!e) throw new Error(`did not parse: ${line}`);
  return e;
}

const within = expectation("completeness(orders.customer_id) >= 0.99 within 1d");

describe("judgeExpectation", () => {
  it.each([
    {
      name: "healthy null rates never violate a completeness expectation past its deadline",
      evaluations: [
        { observedAt: at(2), metric: "null_rate", value: 0.001 },
        { observedAt: at(30), metric: "null_rate", value: 0.001 },
      ],
      state: "inconclusive",
      reason: "no points for `completeness`: its signals carry `null_rate`",
    },
    {
      name: "keeps watching a mismatched metric before the deadline",
      evaluations: [{ observedAt: at(2), metric: "null_rate", value: 0.001 }],
      state: "watching",
      reason: "`null_rate`",
    },
    {
      name: "judges completeness points as before",
      evaluations: [
        { observedAt: at(2), metric: "null_rate", value: 0.5 },
        { observedAt: at(30), metric: "completeness", value: 0.95 },
      ],
      state: "violated",
      reason: "did not hold by the deadline",
    },
    {
      name: "a same-polarity metric of the family stands for the family name",
      evaluations: [{ observedAt: at(3), metric: "not_null_ratio", value: 0.995 }],
      state: "met",
      reason: `held at ${at(3)}`,
    },
  ])("$name", ({ evaluations, state, reason }) => {
    const verdict = judgeExpectation({ expectation: within, evaluations, mergedAt: MERGED });
    expect(verdict.state).toBe(state);
    expect(verdict.reason).toContain(reason);
  });
});
