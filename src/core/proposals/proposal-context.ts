import { parseConfig } from "../config/parse-config.js";
import { type BackflowConfig, CONFIG_PATH } from "../config/schema.js";
import type { Contract } from "../contracts/contract.js";
import type { LineageGraph } from "../lineage/schema.js";
import { type RepoContext, repoContextOf } from "../repo/repo-context.js";
import type { RepoFiles } from "../repo-files.js";

/** What proposals read from a repository: its config, lineage and contracts. */
export type ProposalContext = {
  readonly files: RepoFiles;
  readonly config: BackflowConfig;
  readonly graph: LineageGraph;
  readonly contracts: readonly Contract[];
};

/** A proposal's view of a repository context built from these files (the same context triage and impact use). */
export function proposalContextFrom(files: RepoFiles, context: RepoContext): ProposalContext {
  return { files, config: context.config, graph: context.graph, contracts: context.contracts };
}

/**
 * Reads a repository snapshot for proposals (the CLI's working tree; on GitHub the default branch's
 * context comes from the repo-context loader). Throws ConfigError when `.github/backflow.yml` is invalid.
 */
export function proposalContextOf(files: RepoFiles): ProposalContext {
  const config = parseConfig(files.get(CONFIG_PATH), CONFIG_PATH);
  return proposalContextFrom(files, repoContextOf({ snapshot: { files }, config }));
}
