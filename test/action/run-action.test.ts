import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImpactReportSchema } from "../../src/core/impact/impact-report.js";
import { LineageGraphSchema } from "../../src/core/lineage/schema.js";
import { cloneAt, createOrigin, git, pullRequestEvent, runWorkflow, workflowEnv } from "./workflow-run.js";

let origin: { dir: string; sha: Record<string, string> };
const made: string[] = [];

beforeAll(() => {
  origin = createOrigin();
  made.push(origin.dir);
});
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** The Action on a full checkout of `scenario` for a pull request from it into main. */
async function runScenario(
  scenario: string,
  inputs: Record<string, string> = {},
  body: string | null = null,
) {
  const workspace = cloneAt(origin.dir, scenario);
  made.push(workspace);
  const event = pullRequestEvent({ base: origin.sha.main ?? "", head: origin.sha[scenario] ?? "", body });
  const env = workflowEnv({ workspace, event, inputs });
  return runWorkflow(env);
}

describe("the GitHub Action on a pull_request workflow run", () => {
  it("fails a breaking change: job summary, error annotations on the changed line, outputs and report JSON", async () => {
    const run = await runScenario("breaking");
    expect(run.code).toBe(1);
    expect(run.summary).toMatch(/^## Breaking: /);
    expect(run.summary).toContain("stg\\_orders.customer\\_id was renamed to user\\_id");
    expect(run.summary).toContain("```mermaid");
    // Paths are the checkout's, so GitHub puts the annotation on the pull request's file.
    expect(run.stdout).toMatch(
      /^::error file=examples\/shop\/models\/staging\/stg_orders\.sql,line=\d+,endLine=\d+,title=breaking%3A column renamed::/m,
    );
    expect(run.outputs.verdict).toBe("breaking");
    expect(run.outputs.blocking).toBe("true");
    const report = ImpactReportSchema.parse(
      JSON.parse(readFileSync(run.outputs["report-json"] ?? "", "utf8")),
    );
    expect(report.verdict).toBe("breaking");
    expect(report.changes.some((c) => c.file === "models/staging/stg_orders.sql")).toBe(true);
  });

  it("passes a non-breaking change with notice annotations and verdict non-breaking", async () => {
    const run = await runScenario("non-breaking");
    expect(run.code).toBe(0);
    expect(run.summary).toMatch(/^## Non-breaking: /);
    expect(run.stdout).toMatch(/^::notice file=examples\/shop\/models\/marts\/dim_products\.sql,line=\d+/m);
    expect(run.stdout).not.toMatch(/^::error/m);
    expect(run.outputs).toMatchObject({ verdict: "non-breaking", blocking: "false" });
  });

  it("fails an undecided (unknown) change under fail-on breaking and under fail-on unknown", async () => {
    const run = await runScenario("unknown");
    expect(run.code).toBe(1);
    expect(run.summary).toContain("undecided: treated as breaking");
    expect(run.stdout).toMatch(/^::error file=examples\/shop\/contracts\/customers\.odcs\.yaml,line=\d+/m);
    expect(run.outputs).toMatchObject({ verdict: "breaking", blocking: "true" });
    expect((await runScenario("unknown", { "fail-on": "unknown" })).code).toBe(1);
  });

  it("passes a decided breaking change under fail-on unknown, and everything under fail-on never", async () => {
    const unknownOnly = await runScenario("breaking", { "fail-on": "unknown" });
    expect(unknownOnly.code).toBe(0);
    expect(unknownOnly.outputs.verdict).toBe("breaking");
    expect((await runScenario("breaking", { "fail-on": "never" })).code).toBe(0);
  });

  it("compares base with the checked-out merge commit, which needs only fetch-depth 2", async () => {
    const workspace = cloneAt(origin.dir, "main");
    made.push(workspace);
    git(
      workspace,
      "-c",
      "core.hooksPath=/dev/null",
      "merge",
      "-q",
      "--no-ff",
      "-m",
      "merge",
      "origin/breaking",
    );
    const shallow = mkdtempSync(join(tmpdir(), "backflow-action-merge-"));
    made.push(shallow);
    execFileSync("git", ["clone", "-q", "--depth", "2", `file://${workspace}`, shallow], { stdio: "pipe" });
    const event = pullRequestEvent({ base: origin.sha.main ?? "", head: origin.sha.breaking ?? "" });
    const run = await runWorkflow(workflowEnv({ workspace: shallow, event }));
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe("breaking");
  });

  it("fails with the fetch-depth advice when the base commit is missing (shallow clone)", async () => {
    const shallow = mkdtempSync(join(tmpdir(), "backflow-action-shallow-"));
    made.push(shallow);
    execFileSync(
      "git",
      ["clone", "-q", "--depth", "1", "--branch", "breaking", `file://${origin.dir}`, shallow],
      {
        stdio: "pipe",
      },
    );
    const event = pullRequestEvent({ base: origin.sha.main ?? "", head: origin.sha.breaking ?? "" });
    const run = await runWorkflow(workflowEnv({ workspace: shallow, event }));
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      `::error title=Backflow::The base commit ${origin.sha.main} is not in the checkout.`,
    );
    expect(run.stdout).toContain("set `fetch-depth: 0`");
    expect(run.outputs).toEqual({});
  });

  it("validates the pull request body's expects: block and fails on a problem", async () => {
    const body =
      "Fixes nulls.\n\n```expects\n- metric: completeness(fct_orders.no_such_column) >= 0.99 within 7d\n```\n";
    const run = await runScenario("non-breaking", {}, body);
    expect(run.code).toBe(1);
    expect(run.outputs["expects-problems"]).not.toBe("0");
    expect(run.summary).toMatch(/no\\?_such\\?_column/);
    const check = await runScenario("non-breaking", { command: "expect-check" }, body);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^::error title=Backflow expects%3A line \d+::/m);
  });

  it("prints the lineage with command lineage and points report-json at the graph", async () => {
    const run = await runScenario("main", { command: "lineage" });
    expect(run.code).toBe(0);
    expect(run.summary).toMatch(/^## Lineage: \d+ table\(s\)/);
    const graph = LineageGraphSchema.parse(
      JSON.parse(readFileSync(run.outputs["report-json"] ?? "", "utf8")),
    );
    expect(graph.tables.map((t) => t.id)).toContain("fct_orders");
    expect(run.outputs.tables).toBe(String(graph.tables.length));
  });

  it("explains a bad input with the input's name and exit code 2", async () => {
    const run = await runScenario("breaking", { "fail-on": "sometimes" });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^::error title=Backflow::input fail-on: /m);
  });
});
