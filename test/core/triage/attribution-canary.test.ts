import { describe, expect, it } from "vitest";
import {
  firstBreachOf,
  rankAttribution,
  withCanaryAttribution,
} from "../../../src/core/triage/attribution.js";
import type { Evaluation } from "../../../src/core/triage/evaluation-schema.js";

const point = (observedAt: string, breached: boolean, metric = "amount_sum"): Evaluation => ({
  observedAt,
  metric,
  value: breached ? 600 : 1000,
  breached,
  expected: false,
  severity: "warning",
});

describe("firstBreachOf", () => {
  it("is the first point of the breaching run that ends at the newest point", () => {
    const history = [
      point("2026-01-01T00:00:00Z", true),
      point("2026-01-02T00:00:00Z", false),
      point("2026-01-04T00:00:00Z", true),
      point("2026-01-03T00:00:00Z", true),
      point("2026-01-05T00:00:00Z", true, "row_count"),
    ];
    expect(firstBreachOf(history, "amount_sum")?.toISOString()).toBe("2026-01-03T00:00:00.000Z");
  });

  it("is the newest point's time when it does not breach, and null without points", () => {
    expect(firstBreachOf([point("2026-01-02T00:00:00Z", false)], "amount_sum")?.toISOString()).toBe(
      "2026-01-02T00:00:00.000Z",
    );
    expect(firstBreachOf([], "amount_sum")).toBeNull();
    expect(firstBreachOf([point("2026-01-02T00:00:00Z", true, "other")], "amount_sum")).toBeNull();
  });
});

describe("withCanaryAttribution", () => {
  const breach = new Date("2026-01-11T12:00:00Z");
  const ranked = rankAttribution({
    suspects: [
      {
        table: "fct_orders",
        file: "models/fct_orders.sql",
        depth: 0,
        transform: "expression",
        rowRules: [],
        recentlyChanged: true,
      },
    ],
    firstBreachAt: breach,
    lookbackDays: 14,
    pullRequests: [
      { pr: 5, mergedAt: new Date("2026-01-11T00:00:00Z"), author: "a", files: ["models/fct_orders.sql"] },
      {
        pr: 7,
        mergedAt: new Date("2026-01-10T00:00:00Z"),
        author: "b",
        files: ["models/fct_orders.sql"],
        acknowledgedBreaking: true,
      },
    ],
  });

  it("puts the canary's catch first with its evidence, once, keeping what the ranking knew", () => {
    expect(ranked.map((p) => p.pr)).toEqual([5, 7]);
    const merged = withCanaryAttribution(
      ranked,
      [
        {
          pr: 7,
          mergedAt: new Date("2026-01-10T00:00:00Z"),
          author: null,
          evidence: "`fct_orders.amount` −36%",
        },
      ],
      breach,
    );
    expect(merged.map((p) => [p.pr, p.canary ?? null])).toEqual([
      [7, "`fct_orders.amount` −36%"],
      [5, null],
    ]);
    expect(merged[0]).toMatchObject({
      author: "b",
      files: ["models/fct_orders.sql"],
      acknowledgedBreaking: true,
      hoursBeforeBreach: 36,
    });
  });

  it("adds a caught pull request the commit history did not show, latest merge first", () => {
    const merged = withCanaryAttribution(
      [],
      [
        { pr: 3, mergedAt: new Date("2026-01-09T00:00:00Z"), author: "c", evidence: "x" },
        { pr: 4, mergedAt: new Date("2026-01-10T00:00:00Z"), author: "d", evidence: "y" },
      ],
      breach,
    );
    expect(merged.map((p) => [p.pr, p.files, p.author])).toEqual([
      [4, [], "d"],
      [3, [], "c"],
    ]);
  });
});
