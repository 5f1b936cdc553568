import { type CodeownersRule, findCodeowners } from "../../core/codeowners/parse-codeowners.js";
import type { BackflowConfig } from "../../core/config/schema.js";
import { bindContracts } from "../../core/contracts/bind-contract.js";
import { knownColumnsFromContracts } from "../../core/contracts/check-sql-against-contract.js";
import type { Contract, Freshness } from "../../core/contracts/contract.js";
import { loadContracts } from "../../core/contracts/load-contracts.js";
import { resolveOwners } from "../../core/impact/resolve-owners.js";
import { buildLineage } from "../../core/lineage/build-lineage.js";
import type { FileAnalysis } from "../../core/lineage/file-analysis.js";
import type { LineageGraph } from "../../core/lineage/schema.js";
import type { RepoSnapshot } from "../../core/repo-files.js";
import { findDbtProjects } from "../../core/sql/dbt/find-dbt-projects.js";
import type { ContractSla, Finding } from "../../core/triage/triage-signal.js";

/** What triage needs to know about a repository at one commit; built once per delivery. */
export type TriageContext = {
  readonly config: BackflowConfig;
  readonly graph: LineageGraph;
  readonly contracts: readonly Contract[];
  readonly slas: readonly ContractSla[];
  /** The `name:` of each dbt project in the repository, for matching signals' dbt ids. */
  readonly dbtProjects: readonly string[];
  readonly codeowners?: readonly CodeownersRule[];
  /** Every file analysis used, by cache key, for the caller to store. */
  readonly analyses: Map<string, FileAnalysis>;
};

const HOURS_PER_UNIT: Readonly<Record<string, number>> = {
  s: 1 / 3600,
  sec: 1 / 3600,
  second: 1 / 3600,
  m: 1 / 60,
  min: 1 / 60,
  minute: 1 / 60,
  h: 1,
  hr: 1,
  hour: 1,
  d: 24,
  day: 24,
  w: 168,
  week: 168,
};

/** An ODCS latency in hours (`4 h`, `2 days`, `30 minutes`); undefined for a unit it does not know. */
export function freshnessHours(freshness: Pick<Freshness, "value" | "unit">): number | undefined {
  const unit = freshness.unit.trim().toLowerCase().replace(/s$/, "");
  const factor = HOURS_PER_UNIT[unit];
  return factor === undefined ? undefined : freshness.value * factor;
}

/** The freshness SLA each contracted table promises, for triage's default freshness threshold. */
export function contractSlas(contracts: readonly Contract[]): ContractSla[] {
  return contracts.flatMap((c) =>
    c.datasets.flatMap((d) => {
      const hours = d.freshness ? freshnessHours(d.freshness) : undefined;
      return hours === undefined ? [] : [{ tableId: d.tableId, freshnessSlaHours: hours }];
    }),
  );
}

/**
 * Lineage, contracts and CODEOWNERS of one repository snapshot, reusing cached file analyses.
 * Shared by the triage job (files read through the GitHub API) and `backflow triage` (a local directory).
 */
export function triageContextOf(input: {
  snapshot: RepoSnapshot;
  config: BackflowConfig;
  cache?: ReadonlyMap<string, FileAnalysis>;
}): TriageContext {
  const { snapshot, config } = input;
  const loaded = loadContracts(snapshot.files, config).contracts;
  const built = buildLineage(snapshot.files, config, {
    ...(snapshot.shas ? { shas: snapshot.shas } : {}),
    ...(input.cache ? { cache: input.cache } : {}),
    knownColumns: knownColumnsFromContracts(loaded),
  });
  const contracts = bindContracts(
    loaded,
    config.contracts.bindings,
    built.graph.tables.map((t) => t.id),
  ).contracts;
  const codeowners = findCodeowners(snapshot.files);
  return {
    config,
    graph: built.graph,
    contracts,
    slas: contractSlas(contracts),
    dbtProjects: dbtProjectNames(snapshot.files),
    ...(codeowners ? { codeowners } : {}),
    analyses: built.analyses,
  };
}

/** The names of the repository's own dbt projects (installed packages under dbt_packages/ excluded). */
function dbtProjectNames(files: ReadonlyMap<string, string>): string[] {
  const projectFiles = new Map([...files].filter(([path]) => path.endsWith("dbt_project.yml")));
  return [...new Set(findDbtProjects(projectFiles).flatMap((p) => (p.name ? [p.name] : [])))];
}

/** Who owns the drifting table: config owners, then contract owners, then CODEOWNERS of its file. */
export function ownersOfFinding(context: TriageContext, finding: Finding): string[] {
  if (!finding.tableId) return [];
  const file = context.graph.tables.find((t) => t.id === finding.tableId)?.file;
  return resolveOwners({
    table: finding.tableId,
    ...(file ? { file } : {}),
    config: context.config,
    contracts: context.contracts,
    ...(context.codeowners ? { codeowners: context.codeowners } : {}),
  });
}
