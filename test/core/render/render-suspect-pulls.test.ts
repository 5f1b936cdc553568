import { describe, expect, it } from "vitest";
import { renderSuspectPulls } from "../../../src/core/render/render-suspect-pulls.js";
import type { AttributedPullRequest } from "../../../src/core/triage/attribution.js";

const pull = (over: Partial<AttributedPullRequest>): AttributedPullRequest => ({
  pr: 7,
  mergedAt: "2026-01-10T00:00:00.000Z",
  author: "dev",
  files: ["models/fct_orders.sql"],
  depth: 0,
  hoursBeforeBreach: 12,
  acknowledgedBreaking: false,
  ...over,
});

describe("renderSuspectPulls", () => {
  it("renders nothing without pull requests", () => {
    expect(renderSuspectPulls(undefined)).toBe("");
    expect(renderSuspectPulls([])).toBe("");
  });

  it("gives each pull request its merge time, author, distance and marks, the canary's evidence first", () => {
    const text = renderSuspectPulls([
      pull({ canary: "`fct_orders.amount` `amount_sum` −36% since this merge" }),
      pull({
        pr: 5,
        author: null,
        depth: 2,
        acknowledgedBreaking: true,
        files: ["a.sql", "b.sql", "c.sql", "d.sql"],
      }),
    ]);
    const rows = text.split("\n").filter((l) => l.startsWith("| #"));
    expect(rows[0]).toBe(
      "| #7 | 2026-01-10 00:00 UTC | `dev` | 12 | **canary:** `fct_orders.amount` `amount_sum` −36% since this merge; `/backflow rollback` here (or on #7) opens its revert · touched `models/fct_orders.sql` · the drifting model itself |",
    );
    expect(rows[1]).toBe(
      "| #5 | 2026-01-10 00:00 UTC | – | 12 | touched `a.sql`, `b.sql`, `c.sql` … · 2 hop(s) upstream · ⚠️ acknowledged as a breaking change |",
    );
  });

  it("keeps an author or file name from breaking the table or the markdown", () => {
    const text = renderSuspectPulls([pull({ author: "a|b`c", files: ["models/x|y`z.sql"] })]);
    const row = text.split("\n").find((l) => l.startsWith("| #7"));
    expect(row?.split(/(?<!\\)\|/).length).toBe(7);
  });
});
