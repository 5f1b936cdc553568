import { parseConfig } from "../config/parse-config.js";
import { type BackflowConfig, CONFIG_PATH } from "../config/schema.js";
import type { Contract } from "../contracts/contract.js";
import { loadContracts } from "../contracts/load-contracts.js";
import { lineageOf } from "../lineage/build-lineage.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { RepoFiles } from "../repo-files.js";

/** What proposals read from a repository: its config, lineage and contracts. */
export type ProposalContext = {
  readonly files: RepoFiles;
  readonly config: BackflowConfig;
  readonly graph: LineageGraph;
  readonly contracts: readonly Contract[];
};

/**
 * Reads a repository snapshot for proposals (the CLI's working tree or the default branch on GitHub).
 * Throws ConfigError when `.github/backflow.yml` is invalid.
 */
export function proposalContextOf(files: RepoFiles): ProposalContext {
  const config = parseConfig(files.get(CONFIG_PATH), CONFIG_PATH);
  const graph = lineageOf(files, config);
  const { contracts } = loadContracts(
    files,
    config,
    graph.tables.map((t) => t.id),
  );
  return { files, config, graph, contracts };
}
