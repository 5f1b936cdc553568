import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseConfig } from "../../core/config/parse-config.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { ConfigError } from "../../core/errors.js";
import { analyzeImpact } from "../../core/impact/analyze-impact.js";
import { decideConclusion } from "../../core/impact/decide-conclusion.js";
import { renderImpact } from "../../core/render/render-impact.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { exampleRepoDir } from "../example-repo.js";
import { parseLocalConfig } from "../local-config.js";
import { readLocalRepo } from "../read-local-repo.js";
import { showProposalStep } from "./propose.js";
import { triageLocal } from "./triage.js";

/** Every file under `root` (the example and its change overlays), keyed by POSIX relative path. */
const readAllFiles = (root: string) => readLocalRepo(root, { accept: () => true });

/** Pull-request scenarios bundled next to the example repository (examples/changes/<name>). */
const SCENARIOS = ["breaking", "non-breaking"] as const;

/** Impact of one scenario: the example repository as base, with the scenario's files overlaid as head. */
function showScenario(io: CliIO, base: Map<string, string>, dir: string, name: string, step: number): void {
  const overlay = readAllFiles(dir);
  const head = new Map([...base, ...overlay]);
  const config = parseConfig(head.get(CONFIG_PATH), CONFIG_PATH);
  const { report, headGraph } = analyzeImpact({
    base: { files: base },
    head: { files: head },
    config,
    changedFiles: [...overlay.keys()],
  });
  const conclusion = decideConclusion(report, { breakingConclusion: config.impact.breakingConclusion });
  const rendered = renderImpact(report, { graph: headGraph });
  io.out(`\n== ${step}. Pull request "${name}": ${[...overlay.keys()].join(", ")}\n`);
  io.out(`check run conclusion: ${conclusion}; ${rendered.annotations.length} annotation(s)\n\n`);
  io.out(`## ${rendered.title}\n\n${rendered.summary}\n`);
}

/** Triage of the bundled example signal: the finding and the drift issue the app would open. */
function showSignal(io: CliIO, repo: string, file: string, step: number): void {
  const results = triageLocal({
    repoDir: repo,
    body: JSON.parse(readFileSync(file, "utf8")),
    now: new Date(),
  });
  for (const { finding, issue } of results) {
    io.out(`\n== ${step}. Signal "${finding.dataset}.${finding.column ?? ""} ${finding.metric}" (dry run)\n`);
    io.out(`decision: ${finding.decision}; ${finding.reason}\n\n## ${issue.title}\n\n${issue.body}\n`);
  }
}

/** `backflow demo`: the example repository's config, its two pull-request scenarios, a signal and a proposal. */
export async function runDemo({ values }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const repo = typeof values.repo === "string" ? resolve(io.cwd, values.repo) : exampleRepoDir();
  if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new UsageError(`${repo} is not a directory`);
  io.out(`Backflow demo on ${repo}\n`);
  io.out(`\n== 1. Repository config (${CONFIG_PATH})\n`);
  try {
    const config = parseLocalConfig(readFileSync(join(repo, CONFIG_PATH), "utf8"), CONFIG_PATH, (m) =>
      io.err(`${m}\n`),
    );
    io.out(`valid: dialect ${config.dialect}, models ${config.models.paths.join(", ")}\n`);
    io.out(
      `contracts ${config.contracts.paths.join(", ")}; ${Object.keys(config.owners).length} owner rule(s)\n`,
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${error.message}\n`);
    return EXIT.findings;
  }
  const changes = join(repo, "..", "changes");
  const base = readAllFiles(repo);
  let step = 2;
  for (const name of SCENARIOS) {
    const dir = join(changes, name);
    if (existsSync(dir)) showScenario(io, base, dir, name, step++);
  }
  const signal = join(repo, "..", "signals", "fct_orders-customer_id-completeness.json");
  if (existsSync(signal)) showSignal(io, repo, signal, step++);
  if (existsSync(signal)) showProposalStep(io, repo, signal, step++);
  return EXIT.ok;
}
