import { describe, expect, it } from "vitest";
import { GITHUB_TEXT_LIMIT } from "../../src/core/render/fit-to-limit.js";
import { renderImpact } from "../../src/core/render/render-impact.js";
import { mermaidBlocks, parseMermaid } from "../core/render/mermaid-parser.js";
import { readGolden, widestTable } from "./golden-file.js";
import { analyzeRootRename } from "./root-rename-repo.js";

describe("impact check run for a root rename that reaches 300 models", () => {
  const { report, headGraph } = analyzeRootRename(300);
  const rendered = renderImpact(report, {
    graph: headGraph,
    hasText: true,
    commandLine: "backflow impact --base main",
  });
  const page = `## ${rendered.title}\n\n${rendered.summary}\n`;

  it("matches the reviewed golden summary", () => {
    expect(page).toBe(readGolden("impact-root-rename.md", page));
  });

  it("names the root cause in the first 10 lines, with its reach and how many changes it explains", () => {
    const first = page.split("\n").slice(0, 10).join("\n");
    expect(first).toContain("601 changes from 1 root cause · 300 downstream models · 60 contracts");
    expect(first).toMatch(
      /stg\\_customers\.customer\\_id was renamed to client\\_id at `models\/staging\/stg_customers\.sql:2`: reaches 300 models, 60 contracts; .* explains 600 other changes/,
    );
  });

  it("fits GitHub's limits, with tables at most 6 columns wide", () => {
    expect(rendered.summary.length).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(rendered.text.length).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(widestTable(rendered.summary)).toBeLessThanOrEqual(6);
    expect(widestTable(rendered.text)).toBeLessThanOrEqual(6);
  });

  it("ends every capped list the same way and says where to see the rest", () => {
    expect(rendered.summary).toContain(
      "more changes, each annotated on its line. The full lists are in this check run's details below. Run `backflow impact --base main` in a checkout to see everything.",
    );
    expect(rendered.summary).not.toMatch(/\(s\)|section\(s\)/);
    expect(rendered.summary).toContain("Acknowledge breaking");
  });

  it("draws a lineage picture Mermaid can parse", async () => {
    const blocks = mermaidBlocks(rendered.summary);
    expect(blocks).toHaveLength(1);
    for (const block of blocks) expect(await parseMermaid(block)).toEqual({ ok: true, type: "flowchart-v2" });
  });
});
