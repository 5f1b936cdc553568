import { hasExpectsBlock, parseExpectations } from "../../core/expectations/parse-expectations.js";
import { validateExpectations } from "../../core/expectations/validate-expectations.js";
import type { LineageGraph } from "../../core/lineage/schema.js";
import type { ExpectsBlockCheck } from "../../core/render/render-expectations-section.js";

/**
 * A pull request body's `expects:` block checked against the head's lineage: the expectations that
 * would be watched after merge and the problems (syntax, datasets or columns missing from the
 * lineage), sorted by line. Undefined when the body has no block, so the check run says nothing.
 * `repo` is `owner/name`, lower-cased the way merged expectations are keyed.
 */
export function checkExpectsBlock(
  prBody: string | null | undefined,
  graph: LineageGraph,
  repo = "",
): ExpectsBlockCheck | undefined {
  if (!prBody || !hasExpectsBlock(prBody)) return undefined;
  const { expectations, problems } = parseExpectations(prBody);
  const validated = validateExpectations({ expectations, graph, repo: repo.toLowerCase() });
  return {
    expectations: validated.bound,
    problems: [...problems, ...validated.problems].sort((a, b) => a.line - b.line),
  };
}
