import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { hasExpectsBlock, parseExpectations } from "../../core/expectations/parse-expectations.js";
import { validateExpectations } from "../../core/expectations/validate-expectations.js";
import { lineageOf } from "../../core/lineage/build-lineage.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";
import { parseLocalConfig } from "../local-config.js";
import { readLocalRepo } from "../read-local-repo.js";
import { localRepoName } from "./annotate.js";

/** Markdown code spans read better without their backticks on a terminal. */
const plain = (text: string) => text.replace(/`+/g, "");

/** `backflow expect check`: validates a pull request body's `expects:` block against the local lineage. */
export async function runExpect({ values, positionals }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const [sub, bodyFile, ...extra] = positionals;
  if (sub !== "check" || bodyFile === undefined || extra.length > 0)
    throw new UsageError("expected: check <pr-body-file>");
  const bodyPath = resolve(io.cwd, bodyFile);
  if (!existsSync(bodyPath)) throw new UsageError(`${bodyPath} does not exist`);
  const body = readFileSync(bodyPath, "utf8");
  if (!hasExpectsBlock(body)) {
    io.out("no expects: block found; nothing to check\n");
    return EXIT.ok;
  }
  const root = resolve(io.cwd, typeof values.repo === "string" ? values.repo : ".");
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`${root} is not a directory`);
  const warn = (message: string) => io.err(`backflow expect: ${message}\n`);
  const files = readLocalRepo(root, { warn });
  const graph = lineageOf(files, parseLocalConfig(files.get(CONFIG_PATH), CONFIG_PATH, warn));
  const parsed = parseExpectations(body);
  const { bound, problems } = validateExpectations({
    expectations: parsed.expectations,
    graph,
    repo: localRepoName(root),
  });
  for (const e of bound)
    io.out(`ok    line ${e.line}: ${e.text} (watches ${e.tableId}${e.column ? `.${e.column}` : ""})\n`);
  const all = [...parsed.problems, ...problems].sort((a, b) => a.line - b.line);
  for (const p of all) io.err(`error line ${p.line}: ${plain(p.message)}\n`);
  io.out(`${bound.length} expectation(s) valid, ${all.length} problem(s)\n`);
  return all.length > 0 ? EXIT.findings : EXIT.ok;
}
