import type { ExpectationProblem } from "../../core/expectations/expectation-schema.js";
import { parseExpectations } from "../../core/expectations/parse-expectations.js";
import { validateExpectations } from "../../core/expectations/validate-expectations.js";
import type { LineageGraph } from "../../core/lineage/schema.js";

/**
 * Problems of a pull request's `expects:` block (syntax, and datasets or columns missing from the
 * head's lineage), for the impact check run summary. Empty when there is no block or it is fine.
 */
export function validateExpectationsForCheckRun(
  prBody: string,
  graph: LineageGraph,
  repo = "",
): ExpectationProblem[] {
  const { expectations, problems } = parseExpectations(prBody);
  const validated = validateExpectations({ expectations, graph, repo });
  return [...problems, ...validated.problems].sort((a, b) => a.line - b.line);
}
