import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import {
  driftIssueTitle,
  findingMarker,
  permalink,
  renderDriftComment,
  renderDriftIssue,
} from "../../../src/core/render/render-drift-issue.js";
import { renderMetricChart } from "../../../src/core/render/render-metric-chart.js";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import { type Finding, triageSignal } from "../../../src/core/triage/triage-signal.js";
import { graph } from "../triage/graph.js";
import { history, signal } from "../triage/signal.js";

const config = ConfigSchema.parse({
  signals: { thresholds: [{ dataset: "fct_revenue", column: "revenue", metric: "completeness", min: 0.99 }] },
});

function findingFor(over: Partial<Signal> = {}): { finding: Finding; signal: Signal } {
  const s = signal({
    severity: "error",
    column: "revenue",
    measurement: { metric: "completeness", kind: "completeness", value: 0.93 },
    ...over,
  });
  const finding = triageSignal({ signal: s, repo: "acme/shop", config, graph, history: [], annotations: [] });
  return { finding, signal: s };
}

const base = { owner: "acme", repo: "shop", sha: "0123456789abcdef0123456789abcdef01234567" };

describe("renderDriftIssue", () => {
  it("titles the issue with what drifted and carries the hidden marker first", () => {
    const { finding, signal: s } = findingFor();
    const { title, body } = renderDriftIssue({ ...base, finding, signal: s, history: [finding.evaluation] });
    expect(title).toBe("Drift: fct_revenue.revenue completeness 0.93 < 0.99");
    expect(body.startsWith(`${findingMarker(finding.fingerprint)}\n`)).toBe(true);
    expect(body).toContain("| 0.93 | minimum 0.99 \\(from config\\) | error | 2026-11-24 06:00:00Z |");
    expect(body).toContain("completeness = 0.93 is below the minimum 0.99.");
  });

  it("links every suspect with a file to its line at the lineage commit", () => {
    const { finding, signal: s } = findingFor();
    const { body } = renderDriftIssue({ ...base, finding, signal: s, history: [] });
    const suspectRows = body.split("\n").filter((l) => /^\| \d+ \|/.test(l));
    expect(suspectRows).toHaveLength(finding.suspects.length);
    expect(suspectRows[0]).toContain(
      "(https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567/models/marts/fct_revenue.sql#L",
    );
    expect(body).toContain("source data");
    expect(permalink({ ...base, file: "models/a b/#x.sql", line: 3 })).toBe(
      `https://github.com/acme/shop/blob/${base.sha}/models/a%20b/%23x.sql#L3`,
    );
  });

  it("draws the history in signal time with the threshold as a flat line", () => {
    const points = history("completeness", [0.995, 0.991, 0.93], [2]);
    const chart = renderMetricChart({
      title: "t",
      metric: "completeness",
      history: [...points].reverse(),
      threshold: { min: 0.99 },
    });
    expect(chart?.split("\n")).toEqual([
      "xychart-beta",
      '  title "t"',
      '  x-axis ["11-01 00:00", "11-02 00:00", "11-03 00:00"]',
      '  y-axis "completeness" 0.9235 --> 1.002',
      "  line [0.995, 0.991, 0.93]",
      "  line [0.99, 0.99, 0.99]",
    ]);
    expect(renderMetricChart({ title: "t", metric: "m", history: [] })).toBeNull();
  });

  it("lists commits to suspect files with the pull request, and mentions teams only when asked", () => {
    const { finding, signal: s } = findingFor();
    const commits = new Map([
      [
        "models/marts/fct_revenue.sql",
        [
          {
            sha: "abcdef1234567",
            date: "2026-11-20T10:00:00Z",
            author: "bob",
            message: "Drop nulls\n\nlong",
            pr: 42,
          },
        ],
      ],
    ]);
    const owners = ["@acme/data", "@carol"];
    const quiet = renderDriftIssue({
      ...base,
      finding,
      signal: s,
      history: [],
      commits,
      commitDays: 14,
      owners,
    }).body;
    expect(quiet).toContain("#### Commits to suspect files in the last 14 days");
    expect(quiet).toContain(
      "  - [abcdef1](https://github.com/acme/shop/commit/abcdef1234567) 2026-11-20 by bob in #42: Drop nulls",
    );
    expect(quiet).not.toMatch(/(^|\s)@acme\/data/);
    const loud = renderDriftIssue({
      ...base,
      finding,
      signal: s,
      history: [],
      owners,
      mentionTeams: true,
    }).body;
    expect(loud).toContain("cc @acme/data");
    expect(loud).not.toContain("cc @acme/data @carol");
  });

  it("escapes hostile signal text: no mentions, HTML, links or broken tables", () => {
    const { finding, signal: s } = findingFor({
      message: "@everyone <img src=x onerror=alert(1)> [click](https://evil.test) | broken | #1 ```",
      dataset: { name: "fct_revenue" },
      source: { kind: "backflow", producer: "@mallory <script>" },
      check: { name: "`x` @bob" },
    });
    const { body } = renderDriftIssue({ ...base, finding, signal: s, history: [] });
    expect(body).not.toMatch(/@everyone|@bob|@mallory/);
    expect(body).not.toContain("<img");
    // Inside a code span HTML is shown as text; outside one it must not appear at all.
    expect(body).toContain("`@\u200dmallory <script>`");
    expect(body.replace(/`[^`\n]*`/g, "")).not.toContain("<script");
    expect(body).not.toContain("](https://evil.test)");
    expect(body).toContain("&lt;img src=x onerror=alert\\(1\\)&gt;");
  });

  it("never lets arbitrary signal text mention anyone or open HTML", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.string({ minLength: 1, maxLength: 50 }),
        (message, producer) => {
          const { finding, signal: s } = findingFor({ message, source: { kind: "backflow", producer } });
          const { body } = renderDriftIssue({ ...base, finding, signal: s, history: [] });
          // Code spans show HTML as text; what is left must hold no tag but the footer's.
          const text = body
            .replace(findingMarker(finding.fingerprint), "")
            .replace(/(`+)[^\n]*?\1/g, "")
            .replace(/<\/?sub>/g, "");
          expect(text).not.toMatch(/@[A-Za-z0-9]/);
          expect(text).not.toMatch(/<[A-Za-z!/]/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([
    { over: { observed: 0.2, threshold: { from: "config" as const, max: 0.01 } }, title: "0.2 > 0.01" },
    {
      over: { observed: 1.2, threshold: { from: "config" as const, min: 1 }, breached: false },
      title: "1.2 ≥ 1",
    },
    { over: { observed: undefined, breached: true }, title: "breached" },
  ])("compares observed and threshold in the title ($title)", ({ over, title }) => {
    const { finding } = findingFor();
    expect(driftIssueTitle({ ...finding, ...over })).toBe(`Drift: fct_revenue.revenue completeness ${title}`);
  });

  it("says in a comment what recovered or changed", () => {
    const { finding } = findingFor();
    expect(renderDriftComment("resolved", finding)).toMatch(/^Recovered: `fct_revenue.revenue` completeness/);
    expect(renderDriftComment("severity", finding)).toMatch(/^Severity is now \*\*error\*\*/);
    expect(renderDriftComment("reopened", finding)).toContain("reopened");
  });
});
