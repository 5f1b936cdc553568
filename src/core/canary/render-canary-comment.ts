import { codeSpan } from "../render/escape-markdown.js";
import { renderTable } from "../render/markdown-table.js";
import type { CanaryReport } from "./decide-canary.js";

const VERDICT_WORDS = {
  regression: "regression since this merge",
  clean: "clean",
  "no-signal": "no signal",
  "regression-before-merge": "already breaching before the merge (not attributed)",
  explained: "explained by an annotation (not attributed)",
} as const;

/**
 * The canary's comment on a merged pull request: the regressions it attributes to the merge (one
 * evidence line each), or at the end of the window the summary and the per-column table. Null when
 * there is nothing to say yet (window running, no regression) or the window ended clean under
 * `canary.quiet`. The marker lets a writer update one comment per pull request and phase.
 */
export function renderCanaryComment(input: {
  report: CanaryReport;
  repo: string;
  pr: number;
}): string | null {
  const { report } = input;
  if (!report.enabled) return null;
  const regressions = report.results.filter((r) => r.verdict === "regression");
  const phase = report.complete ? "end" : "regression";
  if (!report.complete && regressions.length === 0) return null;
  if (report.complete && !report.commentAtEnd) return null;
  const lines = [`<!-- backflow:canary ${input.repo}#${input.pr} ${phase} -->`];
  if (!report.complete) {
    lines.push(
      ...regressions.map((r) => `**canary:** ${r.evidence}.`),
      "",
      "Comment `/backflow rollback` here to open a pull request that reverts this merge.",
    );
  } else {
    lines.push(
      `**canary:** ${report.summary}.`,
      "",
      "<details><summary>Watched columns</summary>",
      "",
      renderTable(
        ["column", "metric", "verdict", "evidence"],
        report.results.map((r) => [
          { md: codeSpan(r.target) },
          r.metric,
          { md: VERDICT_WORDS[r.verdict] },
          { md: r.evidence },
        ]),
      ),
      "",
      "</details>",
    );
  }
  return `${lines.join("\n")}\n`;
}
