import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../../src/core/config/schema.js";
import { permalink } from "../../../src/core/render/code-links.js";
import {
  driftIssueTitle,
  findingMarker,
  renderDriftComment,
  renderDriftIssue,
} from "../../../src/core/render/render-drift-issue.js";
import type { Signal } from "../../../src/core/signals/signal-schema.js";
import { type Finding, triageSignal } from "../../../src/core/triage/triage-signal.js";
import { graph } from "../triage/graph.js";
import { signal } from "../triage/signal.js";
import { liveMentions } from "./live-text.js";

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
    expect(title).toBe("Completeness: fct_revenue.revenue 0.93 < 0.99");
    expect(body.startsWith(`${findingMarker(finding.fingerprint)}\n`)).toBe(true);
    expect(body).toContain("Observed `completeness` **0.93**; limit: minimum 0.99 \\(from config\\).");
    expect(body).toContain("Completeness \\= 0.93 is below the minimum 0.99.");
    // The title is GitHub's heading already: the body does not repeat it.
    expect(body).not.toContain(title);
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
    expect(quiet).toContain("Commits to `models/marts/fct_revenue.sql` in the last 14 days:");
    expect(quiet).toContain(
      "- [abcdef1](https://github.com/acme/shop/commit/abcdef1234567) 2026-11-20 by bob in #42: Drop nulls",
    );
    expect(quiet).toContain("**changed recently**");
    expect(quiet).toContain("**Owners:** `@acme/data`, `@carol`");
    expect(liveMentions(quiet)).toEqual([]);
    const loud = renderDriftIssue({
      ...base,
      finding,
      signal: s,
      history: [],
      owners,
      mentionTeams: true,
    }).body;
    expect(liveMentions(loud)).toEqual(["@acme"]);
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
    expect(liveMentions(body)).toEqual([]);
    expect(body).not.toContain("<img");
    // Inside a code span HTML is shown as text; outside one it must not appear at all.
    expect(body).toContain("`@mallory <script>`");
    expect(body.replace(/`[^`\n]*`/g, "")).not.toContain("<script");
    expect(body).not.toContain("](https://evil.test)");
    expect(body).toContain("&lt;img src\\=x onerror\\=alert\\(1\\)&gt;");
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
            .replace(/<\/?(sub|details|summary|br)>/g, "");
          expect(liveMentions(body)).toEqual([]);
          expect(text).not.toMatch(/<[A-Za-z!/]/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([
    { over: { observed: 0.2, threshold: { from: "config" as const, max: 0.01 } }, title: " 0.2 > 0.01" },
    {
      over: { observed: 1.2, threshold: { from: "config" as const, min: 1 }, breached: false },
      title: " 1.2",
    },
    { over: { observed: undefined, breached: true }, title: " breached" },
  ])("compares observed and threshold in the title ($title)", ({ over, title }) => {
    const { finding } = findingFor();
    expect(driftIssueTitle({ ...finding, ...over })).toBe(`Completeness: fct_revenue.revenue${title}`);
  });

  it("says in a comment what recovered or changed", () => {
    const { finding } = findingFor();
    expect(renderDriftComment("resolved", finding)).toMatch(/^Recovered: `fct_revenue.revenue` completeness/);
    expect(renderDriftComment("severity", finding)).toMatch(/^Severity is now \*\*error\*\*/);
    expect(renderDriftComment("reopened", finding)).toContain("reopened");
  });
});
