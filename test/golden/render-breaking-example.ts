import { renderImpact } from "../../src/core/render/render-impact.js";
import { analyzeScenario } from "../core/impact/example-scenarios.js";

/** The check run text for the example shop's breaking pull request, as a reviewer reads it. */
export function renderBreakingExample(): string {
  const { report, headGraph } = analyzeScenario("breaking");
  const rendered = renderImpact(report, { graph: headGraph });
  return `## ${rendered.title}\n\n${rendered.summary}\n`;
}
