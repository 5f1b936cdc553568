import { describe, expect, it } from "vitest";
import { rankAttribution } from "../../../src/core/triage/attribution.js";
import type { Suspect } from "../../../src/core/triage/find-suspects.js";

const suspect = (file: string, depth: number): Suspect => ({
  table: file.replace(/^models\/|\.sql$/g, ""),
  file,
  depth,
  transform: "expression",
  rowRules: [],
  recentlyChanged: false,
});
const suspects = [
  suspect("models/fct_orders.sql", 0),
  suspect("models/stg_orders.sql", 1),
  suspect("models/raw.sql", 2),
];
const breach = new Date("2026-03-20T12:00:00Z");
const pr = (n: number, mergedAt: string, files: string[], acknowledgedBreaking = false) => ({
  pr: n,
  mergedAt: new Date(mergedAt),
  author: `dev${n}`,
  files,
  acknowledgedBreaking,
});

describe("rankAttribution", () => {
  it.each([
    {
      name: "closest in lineage first, then most recent",
      prs: [
        pr(1, "2026-03-19T12:00:00Z", ["models/stg_orders.sql"]),
        pr(2, "2026-03-15T12:00:00Z", ["models/fct_orders.sql", "README.md"]),
        pr(3, "2026-03-20T06:00:00Z", ["models/stg_orders.sql"]),
      ],
      expected: [2, 3, 1],
    },
    {
      name: "pull requests merged after the first breach or before the lookback are left out",
      prs: [
        pr(4, "2026-03-20T13:00:00Z", ["models/fct_orders.sql"]),
        pr(5, "2026-03-01T00:00:00Z", ["models/fct_orders.sql"]),
        pr(6, "2026-03-14T00:00:00Z", ["models/raw.sql"]),
      ],
      expected: [6],
    },
    {
      name: "pull requests that touched no upstream file are left out",
      prs: [pr(7, "2026-03-19T00:00:00Z", ["docs/x.md", "models/other.sql"])],
      expected: [],
    },
  ])("$name", ({ prs, expected }) => {
    const ranked = rankAttribution({ suspects, firstBreachAt: breach, lookbackDays: 7, pullRequests: prs });
    expect(ranked.map((r) => r.pr)).toEqual(expected);
  });

  it("gives each pull request its merge time, author, matched files, distance and acknowledgement", () => {
    const [top] = rankAttribution({
      suspects,
      firstBreachAt: breach,
      lookbackDays: 7,
      pullRequests: [
        pr(8, "2026-03-18T12:00:00Z", ["models/raw.sql", "models/stg_orders.sql", "x.txt"], true),
      ],
    });
    expect(top).toEqual({
      pr: 8,
      mergedAt: "2026-03-18T12:00:00.000Z",
      author: "dev8",
      files: ["models/stg_orders.sql", "models/raw.sql"],
      depth: 1,
      hoursBeforeBreach: 48,
      acknowledgedBreaking: true,
    });
  });
});
