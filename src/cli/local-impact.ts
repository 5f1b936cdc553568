import { parseConfig } from "../core/config/parse-config.js";
import { CONFIG_PATH } from "../core/config/schema.js";
import { type AnalyzedImpact, analyzeImpact } from "../core/impact/analyze-impact.js";
import type { RepoSnapshot } from "../core/repo-files.js";
import { UsageError } from "./command.js";
import { locateInRepo, snapshotAt, workingTree } from "./git-snapshot.js";
import type { SkipWarning } from "./read-local-repo.js";

export type LocalImpact = AnalyzedImpact & {
  /** The head's files, for the annotations (only files present at head can carry one). */
  readonly head: RepoSnapshot;
  /** The pipeline directory's path inside the Git work tree ("" at its top), for annotation paths. */
  readonly prefix: string;
};

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
  const configPath = input.configPath ?? CONFIG_PATH;
  const configText = head.files.get(configPath);
  if (input.configPath !== undefined && configText === undefined)
    throw new UsageError(`the config file ${configPath} does not exist in the head of ${input.dir}`);
  const config = parseConfig(configText, configPath);
  const analyzed = analyzeImpact({ base: snapshotAt(top, input.base, options), head, config });
  return { ...analyzed, head, prefix };
}
