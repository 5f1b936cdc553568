import { type BackflowConfig, CONFIG_PATH } from "../core/config/schema.js";
import { knownColumnsFromContracts } from "../core/contracts/check-sql-against-contract.js";
import { loadContracts } from "../core/contracts/load-contracts.js";
import { type AnalyzedImpact, analyzeImpact } from "../core/impact/analyze-impact.js";
import { buildLineage } from "../core/lineage/build-lineage.js";
import type { LineageGraph } from "../core/lineage/schema.js";
import type { RepoSnapshot } from "../core/repo-files.js";
import { UsageError } from "./command.js";
import { locateInRepo, snapshotAt, workingTree } from "./git-snapshot.js";
import { parseLocalConfig } from "./local-config.js";
import type { SkipWarning } from "./read-local-repo.js";

export type LocalImpact = AnalyzedImpact & {
  /** The head's files, for the annotations (only files present at head can carry one). */
  readonly head: RepoSnapshot;
  /** The pipeline directory's path inside the Git work tree ("" at its top), for annotation paths. */
  readonly prefix: string;
};

/** The head's config: `configPath` when given (it must exist), else the default path when present. */
function configOf(
  head: RepoSnapshot,
  dir: string,
  configPath: string | undefined,
  warn: SkipWarning | undefined,
): BackflowConfig {
  const path = configPath ?? CONFIG_PATH;
  const text = head.files.get(path);
  if (configPath !== undefined && text === undefined)
    throw new UsageError(`the config file ${path} does not exist in ${dir} at the head`);
  return parseLocalConfig(text, path, warn);
}

/**
 * The impact of a change in a local Git checkout: the pipeline repository in `dir` (the work tree's
 * top or a directory inside it) at commit `base` against `head` (a commit, or the working tree when
 * absent), with the config at `configPath` of the head. The CLI and the GitHub Action share it.
 */
export function analyzeLocalImpact(input: {
  dir: string;
  base: string;
  head?: string;
  configPath?: string;
  warn?: SkipWarning;
}): LocalImpact {
  const { top, prefix } = locateInRepo(input.dir);
  const options = { prefix, ...(input.warn ? { warn: input.warn } : {}) };
  const head = input.head === undefined ? workingTree(top, options) : snapshotAt(top, input.head, options);
  const config = configOf(head, input.dir, input.configPath, input.warn);
  const analyzed = analyzeImpact({ base: snapshotAt(top, input.base, options), head, config });
  return { ...analyzed, head, prefix };
}

/**
 * The lineage of the pipeline repository in `dir` as impact sees its head: the working tree (or
 * commit `head`), with contract columns known, and the config at `configPath`.
 */
export function analyzeLocalLineage(input: {
  dir: string;
  head?: string;
  configPath?: string;
  warn?: SkipWarning;
}): { graph: LineageGraph; files: RepoSnapshot["files"]; prefix: string } {
  const { top, prefix } = locateInRepo(input.dir);
  const options = { prefix, ...(input.warn ? { warn: input.warn } : {}) };
  const head = input.head === undefined ? workingTree(top, options) : snapshotAt(top, input.head, options);
  const config = configOf(head, input.dir, input.configPath, input.warn);
  const contracts = loadContracts(head.files, config).contracts;
  const { graph } = buildLineage(head.files, config, {
    ...(head.shas ? { shas: head.shas } : {}),
    knownColumns: knownColumnsFromContracts(contracts),
  });
  return { graph, files: head.files, prefix };
}
