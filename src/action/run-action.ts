import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../cli/command.js";
import { git, hasCommit } from "../cli/git-snapshot.js";
import { analyzeLocalImpact, analyzeLocalLineage } from "../cli/local-impact.js";
import { BackflowError } from "../core/errors.js";
import { ImpactReportSchema } from "../core/impact/impact-report.js";
import { renderLineageText } from "../core/lineage/render-lineage-text.js";
import { LineageGraphSchema } from "../core/lineage/schema.js";
import { codeBlock } from "../core/render/escape-markdown.js";
import { renderExpectationsSection } from "../core/render/render-expectations-section.js";
import { renderImpact } from "../core/render/render-impact.js";
import { checkExpectsBlock } from "../github/expectations/validate-expectations-for-check-run.js";
import { type ActionInputs, readInputs, readPullRequest } from "./action-inputs.js";
import { failsStep } from "./decide-exit.js";
import { appendStepSummary, setOutputs } from "./runner-files.js";
import { commentBody, commentMarker, upsertStickyComment } from "./sticky-comment.js";
import { escapeData, workflowAnnotations } from "./workflow-commands.js";

/** The process around the Action: its environment (as the runner sets it) and its log. */
export type ActionRuntime = {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
};

type PullRequest = NonNullable<ReturnType<typeof readPullRequest>>;

const FETCH_ADVICE =
  "Backflow compares the pull request with its base, so the checkout needs that history: with actions/checkout set `fetch-depth: 0` (or `fetch-depth: 2` when the job checks out the default merge commit).";

/** A commit the comparison needs is not in the checkout (a shallow clone): fail with the fix. */
function missingHistory(what: string): UsageError {
  return new UsageError(`${what} is not in the checkout. ${FETCH_ADVICE}`);
}

function revParse(top: string, rev: string): string | undefined {
  try {
    return (
      git(top, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`])
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * The two commits to compare. When the checkout is GitHub's merge commit of the pull request (the
 * default `pull_request` checkout), its first parent is the base: compare base with the merge, which
 * needs two commits of history. Otherwise compare the merge base of base and head with head, as the
 * pull request's diff does, which needs the history back to where the branch started.
 */
function resolveRange(top: string, base: string, head: string): { base: string; head: string } {
  if (!hasCommit(top, base)) throw missingHistory(`The base commit ${base}`);
  if (!hasCommit(top, head)) throw missingHistory(`The head commit ${head}`);
  const baseSha = revParse(top, base);
  const headSha = revParse(top, head);
  const checkout = revParse(top, "HEAD");
  if (checkout && revParse(top, "HEAD^1") === baseSha && revParse(top, "HEAD^2") === headSha)
    return { base: baseSha ?? base, head: checkout };
  try {
    return { base: git(top, ["merge-base", base, head]).toString().trim(), head: headSha ?? head };
  } catch {
    throw missingHistory(`The merge base of ${base} and ${head}`);
  }
}

function writeReport(env: NodeJS.ProcessEnv, name: string, value: unknown): string {
  const path = join(env.RUNNER_TEMP || tmpdir(), `backflow-${name}-${env.GITHUB_RUN_ID ?? process.pid}.json`);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

async function maybeComment(
  runtime: ActionRuntime,
  inputs: ActionInputs,
  pr: PullRequest | undefined,
  markdown: string,
): Promise<void> {
  if (inputs.comment !== "true") return;
  const { env } = runtime;
  if (!pr || !env.GITHUB_REPOSITORY) {
    runtime.out("::warning title=Backflow::comment: true needs a pull_request event; no comment written\n");
    return;
  }
  if (!inputs.token) throw new UsageError("comment: true needs the token input (default: github.token)");
  const done = await upsertStickyComment({
    token: inputs.token,
    ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
    repository: env.GITHUB_REPOSITORY,
    pr: pr.number,
    marker: commentMarker(inputs.path),
    body: commentBody(commentMarker(inputs.path), markdown),
  });
  runtime.out(`Backflow: pull request comment ${done}\n`);
}

async function runImpactStep(
  runtime: ActionRuntime,
  inputs: ActionInputs,
  dir: string,
  pr: PullRequest | undefined,
): Promise<number> {
  const base = inputs.base ?? pr?.base.sha;
  if (!base) throw new UsageError("input base is required outside pull_request events");
  const top = git(dir, ["rev-parse", "--show-toplevel"]).toString("utf8").trim();
  const range = resolveRange(top, base, inputs.head ?? pr?.head.sha ?? "HEAD");
  const analyzed = analyzeLocalImpact({
    dir,
    base: range.base,
    head: range.head,
    ...(inputs.config ? { configPath: inputs.config } : {}),
    warn: (message) => runtime.out(`::warning title=Backflow::${escapeData(message)}\n`),
  });
  const { report, headGraph, head, prefix } = analyzed;
  const expectations = checkExpectsBlock(pr?.body, headGraph, runtime.env.GITHUB_REPOSITORY ?? "");
  const rendered = renderImpact(report, {
    graph: headGraph,
    headPaths: new Set(head.files.keys()),
    ...(expectations ? { expectations } : {}),
  });
  const markdown = `## ${rendered.title}\n\n${rendered.summary}\n`;
  appendStepSummary(runtime.env, markdown);
  for (const line of workflowAnnotations(rendered.annotations, prefix)) runtime.out(`${line}\n`);
  if (inputs.format === "json") runtime.out(`${JSON.stringify(ImpactReportSchema.parse(report), null, 2)}\n`);
  else runtime.out(markdown);
  const fails = failsStep(report, inputs["fail-on"], expectations?.problems.length ?? 0);
  setOutputs(runtime.env, {
    verdict: report.verdict,
    blocking: String(report.blocking),
    "expects-problems": String(expectations?.problems.length ?? 0),
    "report-json": writeReport(runtime.env, "impact", ImpactReportSchema.parse(report)),
  });
  await maybeComment(runtime, inputs, pr, markdown);
  return fails ? 1 : 0;
}

function runLineageStep(runtime: ActionRuntime, inputs: ActionInputs, dir: string): number {
  const { graph } = analyzeLocalLineage({
    dir,
    ...(inputs.config ? { configPath: inputs.config } : {}),
    warn: (message) => runtime.out(`::warning title=Backflow::${escapeData(message)}\n`),
  });
  const columnLevel = graph.tables.filter((t) => t.file && t.confidence !== "table-only").length;
  const models = graph.tables.filter((t) => t.file).length;
  const text = renderLineageText(graph);
  const markdown = `## Lineage: ${graph.tables.length} table(s), ${columnLevel} of ${models} model(s) column-level\n\n${codeBlock(text)}\n`;
  appendStepSummary(runtime.env, markdown);
  runtime.out(
    inputs.format === "json" ? `${JSON.stringify(LineageGraphSchema.parse(graph), null, 2)}\n` : text,
  );
  setOutputs(runtime.env, {
    tables: String(graph.tables.length),
    "report-json": writeReport(runtime.env, "lineage", LineageGraphSchema.parse(graph)),
  });
  return 0;
}

function runExpectCheckStep(
  runtime: ActionRuntime,
  inputs: ActionInputs,
  dir: string,
  pr: PullRequest | undefined,
): number {
  if (!pr)
    throw new UsageError("command expect-check reads the pull request body: run it on pull_request events");
  const { graph } = analyzeLocalLineage({ dir, ...(inputs.config ? { configPath: inputs.config } : {}) });
  const check = checkExpectsBlock(pr.body, graph, runtime.env.GITHUB_REPOSITORY ?? "");
  const markdown = check
    ? `## Expectations\n\n${renderExpectationsSection(check)}\n`
    : "## Expectations\n\nThe pull request body has no `expects:` block; nothing to check.\n";
  appendStepSummary(runtime.env, markdown);
  for (const p of check?.problems ?? [])
    runtime.out(`::error title=Backflow expects%3A line ${p.line}::${escapeData(p.message)}\n`);
  runtime.out(inputs.format === "json" ? `${JSON.stringify(check ?? null, null, 2)}\n` : markdown);
  setOutputs(runtime.env, {
    "expects-problems": String(check?.problems.length ?? 0),
    "report-json": writeReport(runtime.env, "expects", check ?? null),
  });
  return (check?.problems.length ?? 0) > 0 && inputs["fail-on"] !== "never" ? 1 : 0;
}

/**
 * The Action: reads its inputs and the event from the runner's environment, runs the command on the
 * checkout in `GITHUB_WORKSPACE`, writes the job summary, annotations and outputs, and returns the
 * exit code (0 pass, 1 fail by `fail-on`, 2 a setup problem, explained with an `::error::` line).
 */
export async function runAction(runtime: ActionRuntime): Promise<number> {
  try {
    const inputs = readInputs(runtime.env);
    const pr = readPullRequest(runtime.env);
    const dir = resolve(runtime.env.GITHUB_WORKSPACE || process.cwd(), inputs.path);
    if (inputs.command === "lineage") return runLineageStep(runtime, inputs, dir);
    if (inputs.command === "expect-check") return runExpectCheckStep(runtime, inputs, dir, pr);
    return await runImpactStep(runtime, inputs, dir, pr);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof BackflowError)) throw error;
    runtime.out(`::error title=Backflow::${escapeData(error.message)}\n`);
    return 2;
  }
}
