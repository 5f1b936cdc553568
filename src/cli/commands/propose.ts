import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { SignalError } from "../../core/errors.js";
import { buildProposal } from "../../core/proposals/build-proposal.js";
import type { Proposal } from "../../core/proposals/file-edit.js";
import { proposalContextFrom } from "../../core/proposals/proposal-context.js";
import { unifiedDiff } from "../../core/proposals/unified-diff.js";
import { repoContextOf } from "../../core/repo/repo-context.js";
import { type Finding, FindingSchema } from "../../core/triage/triage-signal.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { exampleRepoDir } from "../example-repo.js";
import { parseLocalConfig } from "../local-config.js";
import { readLocalRepo } from "../read-local-repo.js";
import { triageLocal } from "./triage.js";

// A finding file: one finding, a list of them, or `backflow triage --json` output.
const FindingFileSchema = z.union([
  FindingSchema.transform((f) => [f]),
  z.array(FindingSchema),
  z
    .object({ results: z.array(z.object({ finding: FindingSchema })) })
    .transform((r) => r.results.map((x) => x.finding)),
]);

function findingsOf(body: unknown, repoDir: string): Finding[] {
  const asFindings = FindingFileSchema.safeParse(body);
  if (asFindings.success) return asFindings.data;
  try {
    return triageLocal({ repoDir, body, now: new Date() }).map((r) => r.finding);
  } catch (error) {
    if (error instanceof SignalError)
      throw new UsageError(`neither a finding nor a signal: ${error.message}`);
    throw error;
  }
}

/** The proposals for every breached finding of a signal or finding file, against a local repository. */
export function proposeLocal(input: {
  repoDir: string;
  body: unknown;
  kind?: "cleansing" | "contract";
  direction?: "tighten" | "relax";
  /** Receives the warning that a config's `_extends` is not followed locally. */
  warn?: (message: string) => void;
}): Array<{ finding: Finding; proposal: Proposal }> {
  const files = readLocalRepo(input.repoDir, { accept: (name) => /\.(sql|ya?ml)$/i.test(name) });
  const config = parseLocalConfig(files.get(CONFIG_PATH), CONFIG_PATH, input.warn);
  const context = proposalContextFrom(files, repoContextOf({ snapshot: { files }, config }));
  return findingsOf(input.body, input.repoDir)
    .filter((f) => f.breached && f.tableId)
    .map((finding) => ({
      finding,
      proposal: buildProposal({ ...context, finding, kind: input.kind, direction: input.direction }),
    }));
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

/** `backflow propose`: the proposals for a signal or finding file, as diffs (written with `--apply`). */
export async function runPropose({ values, positionals }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError(`expected one signal or finding file`);
  const kind = values.kind;
  if (kind !== undefined && kind !== "cleansing" && kind !== "contract")
    throw new UsageError(`--kind must be cleansing or contract, not ${String(kind)}`);
  const repoDir = typeof values.repo === "string" ? resolve(io.cwd, values.repo) : exampleRepoDir();
  if (!existsSync(repoDir) || !statSync(repoDir).isDirectory())
    throw new UsageError(`${repoDir} is not a directory`);
  const results = proposeLocal({
    repoDir,
    body: readJson(resolve(io.cwd, file)),
    kind,
    direction: values.relax ? "relax" : "tighten",
    warn: (message) => io.err(`backflow propose: ${message}\n`),
  });
  if (results.length === 0) io.out("No breached finding to propose for.\n");
  let edits = 0;
  for (const { finding, proposal } of results) {
    io.out(
      `\n== ${proposal.title}\nfinding ${finding.fingerprint.slice(0, 12)}: ${finding.reason}\n${proposal.rationale}\n`,
    );
    if (proposal.breaking) io.out("breaking: consumers must agree (the PR is labelled)\n");
    if (proposal.expects.length > 0)
      io.out(`expects:\n${proposal.expects.map((e) => `  - metric: ${e}\n`).join("")}`);
    for (const edit of proposal.edits) {
      edits++;
      io.out(`\n${unifiedDiff(edit.before, edit.after, edit.path)}`);
      if (values.apply) {
        writeFileSync(join(repoDir, edit.path), edit.after);
        io.out(`applied to ${edit.path}\n`);
      }
    }
  }
  return edits > 0 ? EXIT.ok : EXIT.findings;
}

/** The demo's proposal step: the cleansing rule Backflow would open as a draft PR for the example signal. */
export function showProposalStep(io: CliIO, repoDir: string, signalFile: string, step: number): void {
  io.out(`\n== ${step}. Proposal for the signal's finding (the draft PR Backflow would open)\n`);
  for (const { proposal } of proposeLocal({ repoDir, body: readJson(signalFile) })) {
    io.out(`${proposal.title}\n${proposal.rationale}\n`);
    for (const edit of proposal.edits) io.out(`\n${unifiedDiff(edit.before, edit.after, edit.path)}`);
  }
}
