import { codeSpan } from "../render/escape-markdown.js";
import { renderTable } from "../render/markdown-table.js";
import type { DurationStats, ReviewReport } from "./review-report.js";

const NOT_RECORDED = "_not recorded_";

function hours(h: number | null): string {
  if (h === null) return "–";
  return h >= 48 ? `${Math.round((h / 24) * 10) / 10} d` : `${h} h`;
}

function stats(s: DurationStats): string {
  return s.count === 0 ? "no data" : `median ${hours(s.medianHours)}, p90 ${hours(s.p90Hours)} (${s.count})`;
}

/** A Mermaid bar chart; labels are Backflow's own (week keys, bucket names), quoted for Mermaid. */
function barChart(
  title: string,
  yLabel: string,
  bars: ReadonlyArray<{ label: string; count: number }>,
): string {
  const max = Math.max(1, ...bars.map((b) => b.count));
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${title}"`,
    `  x-axis [${bars.map((b) => `"${b.label.replace(/"/g, "'")}"`).join(", ")}]`,
    `  y-axis "${yLabel}" 0 --> ${max}`,
    `  bar [${bars.map((b) => b.count).join(", ")}]`,
    "```",
  ].join("\n");
}

/** `2026-01-06 12:05`: an ISO time to the minute, in UTC. */
const utc = (iso: string) => iso.slice(0, 16).replace("T", " ");

/** `3 clean, 1 regressed, 1 no signal (2 watching)`, or not recorded. */
function canaryCell(c: ReviewReport["canaries"]): string | { md: string } {
  if (c === null) return NOT_RECORDED;
  const parts = [`${c.clean} clean`, `${c.regressed} regressed`, `${c.noSignal} no signal`];
  return { md: `${parts.join(", ")}${c.watching > 0 ? ` (${c.watching} watching)` : ""}` };
}

/** One line per canary that caught a regression in the period, with its evidence. */
function canaryRegressions(c: ReviewReport["canaries"]): string[] {
  if (!c || c.regressions.length === 0) return [];
  return [
    "",
    "Regressions the post-merge canary attributed to a merge:",
    "",
    // Evidence and summaries are Backflow's own markdown (names in code spans).
    ...c.regressions.map((r) => `- #${r.pr}: ${r.evidence.join("; ") || r.summary}`),
  ];
}

const issueLink = (n: number | null) => (n === null ? "–" : { md: `#${n}` });

/**
 * The review issue's markdown: headline figures, Mermaid charts (findings per week, time to
 * resolve), the tables behind them and "what changed since the last review". It starts with the
 * period's hidden marker, so the writer finds and updates the same issue when run again.
 */
export function renderReviewIssue(report: ReviewReport): { title: string; body: string } {
  const f = report.findings;
  const x = report.expectations;
  const lines: string[] = [
    report.marker,
    `## Backflow ${report.period.cadence} review ${report.period.key}`,
    "",
    `${codeSpan(report.repo)}, ${report.period.start.slice(0, 10)} to ${report.period.end.slice(0, 10)} (UTC, end excluded).`,
    "",
    "### What changed since the last review",
    "",
    report.changesSinceLast.join(" "),
    "",
    "### Findings",
    "",
    renderTable(
      ["opened", "reopened", "resolved", "still open", "time to detect", "time to resolve"],
      [
        [
          f.opened,
          f.reopened,
          f.resolved,
          f.stillOpen,
          { md: stats(report.timeToDetect) },
          { md: stats(report.timeToResolve) },
        ],
      ],
    ),
    "",
    report.timeToDetect.unknown > 0
      ? `Time to detect (causing merge → first breach) is known for ${report.timeToDetect.count} of ${report.timeToDetect.count + report.timeToDetect.unknown} findings opened or reopened; for the others the causing change is not recorded.`
      : "Time to detect is measured from the causing merge to the first breach after it.",
    "",
    barChart(
      "Findings opened per week",
      "findings",
      report.findingsPerWeek.map((w) => ({ label: w.week, count: w.count })),
    ),
    "",
    barChart("Time to resolve", "findings", report.resolveBuckets),
    "",
    renderTable(
      ["issue", "finding", "what happened", "when (UTC)"],
      f.issues.map((i) => [
        issueLink(i.issue),
        { md: codeSpan(i.target) },
        { md: i.event },
        { md: i.at ? utc(i.at) : "–" },
      ]),
    ),
    "",
    "### Expectations, reverts and canaries",
    "",
    renderTable(
      ["met", "violated", "inconclusive", "still watching", "reverts opened", "reverts merged", "canaries"],
      [
        [
          x.met,
          x.violated,
          x.inconclusive,
          x.watching,
          report.reverts.opened,
          report.reverts.merged ?? NOT_RECORDED,
          canaryCell(report.canaries),
        ],
      ].map((row) => row.map((c) => (c === NOT_RECORDED ? { md: NOT_RECORDED } : c))),
    ),
    ...canaryRegressions(report.canaries),
    "",
    "### Rules that cried wolf",
    "",
    renderTable(
      ["issue", "metric", "closed by", "limit before", "learned limit"],
      report.criedWolf.map((w) => [
        issueLink(w.issue),
        { md: codeSpan(w.metric) },
        { md: codeSpan(w.closedBy) },
        { md: w.old },
        { md: w.learned },
      ]),
      "_No drift issue was closed as not planned with a limit learned._",
    ),
    ...(report.closedNothingLearned > 0
      ? [
          "",
          `${report.closedNothingLearned} issue(s) closed as not planned taught nothing (no breaching value to learn from).`,
        ]
      : []),
    "",
    "### Annotations used",
    "",
    renderTable(
      ["annotation", "kind", "dataset", "breaches explained", "note"],
      report.annotationsUsed.map((a) => [
        { md: codeSpan(a.id) },
        a.kind ?? "–",
        a.dataset ? { md: codeSpan(a.dataset) } : "–",
        a.uses,
        a.note ?? "–",
      ]),
      "_No breach was explained by an annotation._",
    ),
    "",
    "### Upstream files behind the most findings",
    "",
    renderTable(
      ["file", "tables", "findings", "owners"],
      report.upstream.map((u) => [
        { md: codeSpan(u.file) },
        { md: u.tables.map(codeSpan).join(", ") },
        u.findings,
        u.owners === null ? { md: NOT_RECORDED } : { md: u.owners.map(codeSpan).join(", ") || "–" },
      ]),
    ),
    "",
    "### Breaking changes acknowledged",
    "",
    renderTable(
      ["pull request", "acknowledged by", "at (UTC)", "merged (UTC)"],
      report.breakingAcknowledged.map((b) => [
        { md: `#${b.pr}` },
        { md: codeSpan(b.by) },
        { md: utc(b.at) },
        b.mergedAt ? { md: utc(b.mergedAt) } : { md: NOT_RECORDED },
      ]),
    ),
    ...(report.notRecorded.length > 0
      ? [
          "",
          "<details><summary>Not recorded by the store</summary>",
          "",
          ...report.notRecorded.map((n) => `- ${n}`),
          "",
          "</details>",
        ]
      : []),
  ];
  return { title: report.title, body: `${lines.join("\n")}\n` };
}
