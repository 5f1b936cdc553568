import type { Expectation, ExpectationProblem } from "../expectations/expectation-schema.js";
import { EXPECTATION_SYNTAX } from "../expectations/parse-expectations.js";
import type { BoundExpectation } from "../expectations/validate-expectations.js";
import { codeSpan } from "./escape-markdown.js";
import { capList, plural } from "./fit-to-limit.js";
import { renderTable } from "./markdown-table.js";

/** A pull request's `expects:` block checked against the head lineage: what would be watched, what is wrong. */
export type ExpectsBlockCheck = {
  readonly expectations: readonly BoundExpectation[];
  readonly problems: readonly ExpectationProblem[];
};

/** Most watched expectations and problems listed; a body that long is a mistake, not a plan. */
const MAX_ITEMS = 30;
/** A problem message quoting a line longer than this is not shown: cutting it could break its code span. */
const MAX_MESSAGE = 400;
/** Longest metric or target shown in the table; cut before it is put in a code span, so cutting is safe. */
const MAX_CELL = 80;

function clip(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** The title prefix of a check run whose `expects:` block has problems; empty when there are none. */
export function expectsTitlePrefix(check: ExpectsBlockCheck | undefined): string {
  const n = check?.problems.length ?? 0;
  return n > 0 ? `Invalid expects block: ${plural(n, "problem")} · ` : "";
}

function conditionText(condition: Expectation["condition"]): string {
  return condition.type === "baseline"
    ? `within ${Number((condition.tolerance * 100).toFixed(4))}% of baseline`
    : `${condition.operator} ${condition.value}`;
}

function watchedTable(expectations: readonly BoundExpectation[]): string {
  const shown = expectations.slice(0, MAX_ITEMS);
  const table = renderTable(
    ["Line", "Metric", "Dataset / column", "Condition", "Window"],
    shown.map((e) => [
      e.line,
      { md: codeSpan(clip(e.metric)) },
      { md: codeSpan(clip(e.column ? `${e.tableId}.${e.column}` : e.tableId)) },
      { md: codeSpan(conditionText(e.condition)) },
      { md: codeSpan(`${e.mode} ${e.duration}`) },
    ]),
  );
  const left = expectations.length - shown.length;
  return left > 0 ? `${table}\n\n_…and ${plural(left, "more expectation")}._` : table;
}

function problemLine(problem: ExpectationProblem): string {
  const message =
    problem.message.length > MAX_MESSAGE
      ? `this line is too long to quote (${problem.message.length} characters); write it as the syntax below`
      : problem.message;
  return `- line ${problem.line}: ${message}`;
}

/**
 * The check run's "Expectations" section: the expectations Backflow will watch after merge, and
 * each problem with its line in the pull request body and how to fix it. Empty without a block.
 */
export function renderExpectationsSection(check: ExpectsBlockCheck | undefined): string {
  if (!check) return "";
  const { expectations, problems } = check;
  const parts = ["### Expectations", ""];
  if (expectations.length > 0) {
    parts.push(
      `Backflow will watch ${plural(expectations.length, "expectation")} of the \`expects\` block once this pull request is merged:`,
      "",
      watchedTable(expectations),
    );
  } else if (problems.length === 0) {
    parts.push("The `expects` block lists no expectations, so nothing will be watched after merge.");
  }
  if (problems.length > 0) {
    if (expectations.length > 0) parts.push("");
    parts.push(
      `**${plural(problems.length, "problem")}** in the \`expects\` block: these lines would go unwatched after merge, so this check fails until they are fixed.`,
      "",
      ...capList(problems, MAX_ITEMS, problemLine, "problem"),
      "",
      `Edit the pull request description (line numbers count from its first line); saving it re-runs this check. Each line reads ${EXPECTATION_SYNTAX}, and the dataset must be a table of this pull request's lineage.`,
    );
  }
  return parts.join("\n");
}
