import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { SignalError } from "../../core/errors.js";
import { cliCodeLinks } from "../../core/render/code-links.js";
import { stripControl } from "../../core/render/escape-markdown.js";
import { GIT_LOG_FORMAT, parseGitLog } from "../../core/render/parse-git-log.js";
import { renderDriftIssue, type SuspectCommit } from "../../core/render/render-drift-issue.js";
import { adaptSignals } from "../../core/signals/detect-format.js";
import { type Evaluation, EvaluationSchema } from "../../core/triage/evaluation-schema.js";
import { type Finding, findingKeyOf, triageSignal } from "../../core/triage/triage-signal.js";
import { ownersOfFinding, triageContextOf } from "../../github/drift/triage-context.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { exampleRepoDir } from "../example-repo.js";
import { git } from "../git-snapshot.js";
import { parseLocalConfig } from "../local-config.js";
import { readLocalRepo, type SkipWarning } from "../read-local-repo.js";
import { LOCAL_ANNOTATIONS_PATH, readLocalAnnotations } from "./annotate.js";

export type LocalTriageResult = {
  readonly finding: Finding;
  /** The issue the app would write for this finding (rendered for every decision, for review). */
  readonly issue: { readonly title: string; readonly body: string };
};

/**
 * Triages a signal payload (any accepted format) against a local pipeline repository, as the app
 * would against the default branch, and renders the drift issue it would write. Nothing is written.
 */
export function triageLocal(input: {
  repoDir: string;
  body: unknown;
  hint?: string;
  history?: readonly Evaluation[];
  now: Date;
  /** owner/name used in links; `local/<directory>` when unknown. */
  github?: string;
  sha?: string;
  /** Receives a line per file of the repository left out (links out of it, files over 2 MiB). */
  warn?: SkipWarning;
}): LocalTriageResult[] {
  const files = readLocalRepo(input.repoDir, input.warn ? { warn: input.warn } : {});
  const config = parseLocalConfig(files.get(CONFIG_PATH), CONFIG_PATH, input.warn);
  const context = triageContextOf({ snapshot: { files }, config });
  const [owner = "local", repo = basename(input.repoDir)] = (input.github ?? "").split("/").filter(Boolean);
  const signals = adaptSignals(input.body, {
    source: "cli",
    receivedAt: input.now,
    deliveryId: "cli",
    ...(input.hint ? { hint: input.hint } : {}),
  });
  const repoName = `${owner}/${repo}`.toLowerCase();
  // The file lives in this checkout, so its annotations are this repository's whatever name they were
  // recorded under (`--github` names it differently from `backflow annotate`'s `local/<dir>`).
  const annotations = readLocalAnnotations(join(input.repoDir, LOCAL_ANNOTATIONS_PATH)).map((a) => ({
    ...a,
    repo: repoName,
  }));
  // A file's earlier signals are history only for their own finding, as the store keys points by fingerprint.
  const earlier = new Map<string, Evaluation[]>();
  return signals.map((signal) => {
    const given = input.history ?? [];
    const key = findingKeyOf({
      signal,
      repo: repoName,
      config,
      graph: context.graph,
      dbtProjects: context.dbtProjects,
    });
    const { fingerprint } = key;
    const prior = earlier.get(fingerprint) ?? [];
    const finding = triageSignal({
      signal,
      repo: repoName,
      config,
      graph: context.graph,
      dbtProjects: context.dbtProjects,
      history: [...given, ...prior],
      annotations,
      contracts: context.slas,
      key,
    });
    earlier.set(fingerprint, [...prior, finding.evaluation]);
    const history = [...given, ...prior, finding.evaluation];
    const issue = renderDriftIssue({
      finding,
      signal,
      history: history.filter((e) => e.metric === finding.metric),
      owner,
      repo,
      sha: input.sha ?? "HEAD",
      links: cliCodeLinks(input.github, input.sha),
      graph: context.graph,
      commits: localCommits(input.repoDir, finding, input.now),
      commitDays: COMMIT_DAYS,
      owners: ownersOfFinding(context, finding),
      mentionTeams: config.assignTeams,
    });
    return { finding, issue };
  });
}

const COMMIT_DAYS = 14;

/** The commits of the local git history that touched each suspect file lately ("changed recently"). */
function localCommits(
  repoDir: string,
  finding: Finding,
  now: Date,
): Map<string, SuspectCommit[]> | undefined {
  const since = new Date(now.getTime() - COMMIT_DAYS * 86_400_000).toISOString();
  const files = [...new Set(finding.suspects.flatMap((s) => (s.file ? [s.file] : [])))].slice(0, 5);
  try {
    return new Map(
      files.map((file) => [
        file,
        parseGitLog(
          git(repoDir, [
            "log",
            "-n",
            "3",
            `--since=${since}`,
            `--format=${GIT_LOG_FORMAT}`,
            "--",
            file,
          ]).toString(),
        ),
      ]),
    );
  } catch {
    return undefined; // not a git checkout: the issue says nothing about recent commits
  }
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${what} ${path} is not JSON: ${(error as Error).message}`);
  }
}

function readHistory(path: string): Evaluation[] {
  const parsed = z.array(EvaluationSchema).safeParse(readJson(path, "history file"));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `history file ${path} must be a JSON array of evaluations ({observedAt, metric, value, breached, severity}); at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

function describeFinding(f: Finding): string {
  const where = f.tableId ? `${f.tableId}${f.column ? `.${f.column}` : ""}` : `${f.dataset} (unmatched)`;
  const lines = [
    `decision: ${f.decision}${f.comment ? " (with a comment)" : ""}`,
    `finding:  ${where} ${f.metric} — ${f.reason}`,
    `severity: ${f.severity}; fingerprint ${f.fingerprint.slice(0, 12)}`,
  ];
  for (const a of f.annotations) lines.push(`expected: ${a.kind} annotation by ${a.author}: ${a.note}`);
  if (f.decision === "unmatched" && f.candidates.length > 0)
    lines.push(`candidates: ${f.candidates.join(", ")}`);
  return `${lines.join("\n")}\n`;
}

/** `backflow triage`: judges a signal file against a local repository and prints the drift issue (dry run). */
export async function runTriage({ values, positionals }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError(`expected one signal file`);
  const repoDir = typeof values.repo === "string" ? resolve(io.cwd, values.repo) : exampleRepoDir();
  if (!existsSync(repoDir) || !statSync(repoDir).isDirectory())
    throw new UsageError(`${repoDir} is not a directory`);
  const body = readJson(resolve(io.cwd, file), "signal file");
  let results: LocalTriageResult[];
  try {
    results = triageLocal({
      repoDir,
      body,
      now: new Date(),
      warn: (message) => io.err(`backflow triage: ${message}\n`),
      ...(typeof values.format === "string" ? { hint: values.format } : {}),
      ...(typeof values.history === "string"
        ? { history: readHistory(resolve(io.cwd, values.history)) }
        : {}),
      ...(typeof values.github === "string" ? { github: values.github } : {}),
      ...(typeof values.sha === "string" ? { sha: values.sha } : {}),
    });
  } catch (error) {
    if (error instanceof SignalError) throw new UsageError(`signal file ${file}: ${error.message}`);
    throw error;
  }
  if (values.json) {
    io.out(`${JSON.stringify({ dryRun: true, results }, null, 2)}\n`);
  } else {
    io.out(
      "Dry run: a local triage never writes to GitHub; the app writes this issue on the default branch.\n",
    );
    for (const { finding, issue } of results) {
      // Only a decision that writes an issue shows one; `none`, `expected` and `resolve` write none.
      const writes = finding.decision === "open" || finding.decision === "update";
      const block = writes ? `--- issue: ${issue.title}\n\n${issue.body}\n--- end of issue\n` : "";
      io.out(`\n${stripControl(describeFinding(finding))}\n${block}`);
    }
  }
  return results.some((r) => r.finding.decision === "open" || r.finding.decision === "update")
    ? EXIT.findings
    : EXIT.ok;
}
