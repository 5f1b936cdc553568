import { codeSpan } from "../render/escape-markdown.js";
import { renderTable } from "../render/markdown-table.js";
import type { ExpectationProblem, ExpectationVerdict } from "./expectation-schema.js";
import type { BoundExpectation } from "./validate-expectations.js";

/** Hidden marker of the comment that lists a merged pull request's expectations. */
export function expectationsMarker(pr: number): string {
  return `<!-- backflow:expectations ${pr} -->`;
}

/** Hidden marker of the verdict comment of one expectation. */
export function verdictMarker(id: string): string {
  return `<!-- backflow:expectation ${id.replace(/--/g, "-")} -->`;
}

function problemList(problems: readonly ExpectationProblem[]): string[] {
  return problems.map((p) => `- line ${p.line}: ${p.message}`);
}

/** The comment on a merged pull request: what Backflow now watches, and lines it could not use. */
export function renderWatchingComment(input: {
  pr: number;
  bound: readonly BoundExpectation[];
  problems: readonly ExpectationProblem[];
}): string {
  const rows = input.bound.map((e) => [
    { md: codeSpan(e.text) },
    { md: codeSpan(e.tableId) },
    `${e.mode} ${e.duration}`,
  ]);
  const parts = [expectationsMarker(input.pr)];
  if (input.bound.length > 0) {
    parts.push(
      `👀 **Watching ${input.bound.length} expectation${input.bound.length === 1 ? "" : "s"}** of this pull request against the signals that arrive from now on.`,
      "",
      renderTable(["expectation", "dataset", "window"], rows),
      "",
      "Backflow comments here when each is met or violated.",
    );
  }
  if (input.problems.length > 0) {
    parts.push(
      "",
      "These lines of the `expects:` block were not understood and are **not** watched:",
      ...problemList(input.problems),
    );
  }
  return parts.join("\n");
}

function evidenceTable(verdict: ExpectationVerdict): string {
  return renderTable(
    ["observed at", "value", "holds"],
    // Evidence times are validated ISO date-times and values numbers: nothing in them needs escaping.
    verdict.evidence.map((p) => [{ md: p.observedAt }, p.value, { md: p.holds ? "yes" : "**no**" }]),
    "_no points_",
  );
}

/** The comment that reports an expectation's verdict, with the points that decided it. */
export function renderVerdictComment(input: {
  id: string;
  expectation: BoundExpectation;
  verdict: ExpectationVerdict;
  /** For a violation: the revert pull request, or why none was opened. */
  revert?: { readonly number: number; readonly merged: boolean } | { readonly problem: string };
  /** `rollback: auto` is set: the revert will be merged once it is clean and green, which the comment says. */
  readonly autoRequested?: boolean;
}): string {
  const { expectation: e, verdict } = input;
  const title =
    verdict.state === "met"
      ? `✅ **Expectation met**: ${codeSpan(e.text)}`
      : verdict.state === "violated"
        ? `❌ **Expectation violated**: ${codeSpan(e.text)}`
        : `❔ **Expectation inconclusive**: ${codeSpan(e.text)}`;
  const lines = [verdictMarker(input.id), title, "", `${verdict.reason}.`];
  if (verdict.baseline !== undefined) lines.push(`Baseline (median before the merge): ${verdict.baseline}.`);
  lines.push("", evidenceTable(verdict));
  const revert = input.revert;
  if (revert && "number" in revert) {
    lines.push(
      "",
      revert.merged
        ? `Rolled back automatically by #${revert.number} (\`rollback: auto\`).`
        : `Opened #${revert.number} to revert this pull request; it is ready for review.`,
    );
    if (!revert.merged && input.autoRequested)
      lines.push(
        "`rollback: auto` is set: Backflow merges it once its impact check is green and it merges cleanly, and says here when it did or why it did not.",
      );
  } else if (revert) {
    lines.push("", `No revert pull request was opened: ${revert.problem}`);
  }
  return lines.join("\n");
}
