import { describe, expect, it } from "vitest";
import {
  buildReviewReport,
  durationStats,
  type ReviewInput,
} from "../../../src/core/review/build-review-report.js";
import { findingEpisodes } from "../../../src/core/review/finding-episodes.js";
import { renderReviewIssue } from "../../../src/core/review/render-review-issue.js";
import { reviewPeriodOf } from "../../../src/core/review/review-period.js";

const H = 3_600_000;
const t = (iso: string) => new Date(iso);
const entry = (at: string, action: string, target = "fp1", detail: unknown = {}) => ({
  at: t(at),
  actor: "backflow",
  action,
  target,
  detail,
});

describe("durationStats", () => {
  it.each([
    [[], { count: 0, medianHours: null, p90Hours: null }],
    [[2 * H], { count: 1, medianHours: 2, p90Hours: 2 }],
    [[1 * H, 3 * H], { count: 2, medianHours: 2, p90Hours: 3 }],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((h) => h * H), { count: 10, medianHours: 5.5, p90Hours: 9 }],
    [[10 * H, 1 * H, 100 * H], { count: 3, medianHours: 10, p90Hours: 100 }],
  ])("%j → %j (median, nearest-rank p90)", (ms, expected) => {
    expect(durationStats(ms)).toEqual(expected);
  });
});

describe("findingEpisodes", () => {
  it.each([
    {
      name: "created then closed is one recovered episode",
      audit: [
        entry("2026-01-01T00:00:00Z", "drift.created", "fp1", { issue: 5 }),
        entry("2026-01-02T00:00:00Z", "drift.closed"),
      ],
      expected: [
        {
          start: "2026-01-01T00:00:00.000Z",
          end: "2026-01-02T00:00:00.000Z",
          reopened: false,
          endedBy: "recovered",
          issue: 5,
        },
      ],
    },
    {
      name: "a learned close then a reopen makes a not-planned episode and a reopened one",
      audit: [
        entry("2026-01-01T00:00:00Z", "drift.created"),
        entry("2026-01-03T00:00:00Z", "drift.learned"),
        entry("2026-01-04T00:00:00Z", "drift.unlearned"),
      ],
      expected: [
        {
          start: "2026-01-01T00:00:00.000Z",
          end: "2026-01-03T00:00:00.000Z",
          reopened: false,
          endedBy: "not-planned",
          issue: null,
        },
        { start: "2026-01-04T00:00:00.000Z", end: null, reopened: true, endedBy: null, issue: null },
      ],
    },
    {
      name: "updates and repeated closes do not open or end episodes twice",
      audit: [
        entry("2026-01-01T00:00:00Z", "drift.created"),
        entry("2026-01-01T06:00:00Z", "drift.updated"),
        entry("2026-01-01T07:00:00Z", "drift.created"),
        entry("2026-01-02T00:00:00Z", "drift.closed"),
        entry("2026-01-02T01:00:00Z", "drift.resolved"),
      ],
      expected: [
        {
          start: "2026-01-01T00:00:00.000Z",
          end: "2026-01-02T00:00:00.000Z",
          reopened: false,
          endedBy: "recovered",
          issue: null,
        },
      ],
    },
  ])("$name", ({ audit, expected }) => {
    const got = findingEpisodes([], audit).map((e) => ({
      start: e.start.toISOString(),
      end: e.end?.toISOString() ?? null,
      reopened: e.reopened,
      endedBy: e.endedBy,
      issue: e.issue,
    }));
    expect(got).toEqual(expected);
  });

  it("falls back to the finding record when the audit log has nothing on it", () => {
    const [only] = findingEpisodes(
      [
        {
          fingerprint: "fp9",
          state: "resolved",
          openedAt: t("2026-01-01T00:00:00Z"),
          resolvedAt: t("2026-01-01T05:00:00Z"),
        },
      ],
      [],
    );
    expect(only?.end?.getTime()).toBe(t("2026-01-01T05:00:00Z").getTime());
  });
});

describe("buildReviewReport", () => {
  const period = reviewPeriodOf("weekly", t("2026-01-07T00:00:00Z"));
  const base: ReviewInput = {
    repo: "acme/x",
    period,
    findings: [],
    history: {},
    audit: [],
    expectations: [],
    annotations: [],
  };

  it("reports an empty week as zeros and names what the store does not record", () => {
    const report = buildReviewReport(base);
    expect(report.findings).toEqual({ opened: 0, reopened: 0, resolved: 0, stillOpen: 0, issues: [] });
    expect(report.findingsPerWeek).toEqual([{ week: "2026-W02", count: 0 }]);
    expect(report.reverts.merged).toBeNull();
    expect(report.notRecorded).toEqual([
      "canary outcomes (the store keeps no canaries yet)",
      "whether revert pull requests merged",
      "owners of upstream files (no configuration was read)",
    ]);
    const { body } = renderReviewIssue(report);
    expect(body.startsWith("<!-- backflow:review 2026-W02 -->\n")).toBe(true);
    expect(body).toContain("No earlier review to compare with.");
  });

  it("counts an episode still open across the period end, and ignores breaches an annotation explained when timing detection", () => {
    const report = buildReviewReport({
      ...base,
      audit: [entry("2026-01-06T00:00:00Z", "drift.created", "fp1", { issue: 9 })],
      expectations: [
        {
          pr: 4,
          mergedAt: t("2026-01-05T00:00:00Z"),
          fingerprint: "fp1",
          state: "watching",
          revertPr: null,
          updatedAt: t("2026-01-05T00:00:00Z"),
        },
      ],
      history: {
        fp1: [
          {
            observedAt: "2026-01-05T01:00:00Z",
            metric: "m",
            value: 1,
            breached: true,
            expected: true,
            severity: "warning",
          },
          {
            observedAt: "2026-01-05T04:00:00Z",
            metric: "m",
            value: 1,
            breached: true,
            expected: false,
            severity: "warning",
          },
        ],
      },
    });
    expect(report.findings).toMatchObject({ opened: 1, stillOpen: 1 });
    expect(report.timeToDetect).toEqual({ count: 1, medianHours: 4, p90Hours: 4, unknown: 0 });
    expect(report.expectations.watching).toBe(1);
    expect(report.findings.issues.map((i) => [i.issue, i.event])).toEqual([
      [9, "opened"],
      [9, "still-open"],
    ]);
  });

  it("compares with the previous review in the 'what changed' sentences", () => {
    const previous = buildReviewReport({ ...base, audit: [entry("2026-01-06T00:00:00Z", "drift.created")] });
    const next = buildReviewReport({
      ...base,
      period: reviewPeriodOf("weekly", t("2026-01-14T00:00:00Z")),
      audit: [entry("2026-01-06T00:00:00Z", "drift.created")],
      previous,
    });
    expect(next.changesSinceLast).toEqual(["Findings opened: 0 (down from 1); still open: 1 (unchanged)."]);
  });
});

describe("renderReviewIssue escaping", () => {
  it("keeps untrusted names and notes from mentioning, linking or injecting HTML", () => {
    const period = reviewPeriodOf("monthly", t("2026-01-10T00:00:00Z"));
    const report = buildReviewReport({
      repo: "acme/x",
      period,
      findings: [
        {
          fingerprint: "fp1",
          state: "open",
          issueNumber: 3,
          openedAt: t("2026-01-02T00:00:00Z"),
          resolvedAt: null,
          finding: {
            dataset: "evil",
            tableId: "<img src=x onerror=alert(1)>",
            column: "@org/team",
            metric: "m`x",
            suspects: [
              {
                table: "t",
                file: "models/<b>.sql",
                depth: 0,
                transform: "expression",
                rowRules: [],
                recentlyChanged: false,
              },
            ],
          },
        },
      ],
      history: {},
      audit: [
        entry("2026-01-02T00:00:00Z", "drift.created", "fp1", { issue: 3 }),
        entry("2026-01-03T00:00:00Z", "drift.expected", "fp1", { annotations: ["a1"] }),
      ],
      expectations: [],
      annotations: [
        {
          id: "a1",
          repo: "acme/x",
          dataset: "*",
          kind: "event",
          note: "ping @someone [x](https://evil.example) <script>",
          author: "z",
          createdAt: "2026-01-01T00:00:00Z",
        },
      ],
    });
    const { body } = renderReviewIssue(report);
    // Code spans are inert on GitHub (no HTML, links or mentions); everything outside them must be escaped.
    const outside = body.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, "");
    expect(outside).not.toMatch(/<img|<script|<b>|\]\(https:\/\/evil/);
    expect(outside).not.toMatch(/(^|[^\\])@someone/m);
    expect(body).toContain("`<img src=x onerror=alert(1)>.@org/team m`x`");
  });
});
