import { type CodeownersRule, findCodeowners } from "../codeowners/parse-codeowners.js";
import type { BackflowConfig } from "../config/schema.js";
import { bindContracts } from "../contracts/bind-contract.js";
import { knownColumnsFromContracts } from "../contracts/check-sql-against-contract.js";
import type { Contract, ContractDiagnostic, Freshness } from "../contracts/contract.js";
import { loadContracts } from "../contracts/load-contracts.js";
import { type BuildLineageOptions, buildLineage } from "../lineage/build-lineage.js";
import type { FileAnalysis } from "../lineage/file-analysis.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { RepoSnapshot } from "../repo-files.js";
import { type DbtYamlRead, findDbtProjects } from "../sql/dbt/find-dbt-projects.js";
import type { ContractSla } from "../triage/triage-signal.js";

/**
 * What Backflow knows about a repository at one commit: its lineage (contracts' declared columns,
 * dbt YAML and `lineage.catalog` included), its contracts bound to the graph's tables, CODEOWNERS and
 * dbt project names. The impact check (each side), triage and proposals all use this one shape, so
 * the same commit gives the same answer everywhere.
 */
export type RepoContext = {
  readonly config: BackflowConfig;
  readonly graph: LineageGraph;
  /** Enabled contracts, bound to the graph's tables. */
  readonly contracts: readonly Contract[];
  /** Enforced dbt contracts of disabled models (`enabled: false`): compared as deleted, never bound. */
  readonly disabledContracts: readonly Contract[];
  /** Problems reading contract files. */
  readonly contractDiagnostics: readonly ContractDiagnostic[];
  /** Contract datasets that name no table of the graph. */
  readonly bindingDiagnostics: readonly ContractDiagnostic[];
  readonly slas: readonly ContractSla[];
  /** The `name:` of each dbt project in the repository, for matching signals' dbt ids. */
  readonly dbtProjects: readonly string[];
  readonly codeowners?: readonly CodeownersRule[];
  /** Every file analysis used, by cache key, for the caller to store. */
  readonly analyses: Map<string, FileAnalysis>;
  /** Every dbt YAML read used, for the caller to store (next time: `dbtCache`). */
  readonly dbtReads: Map<string, DbtYamlRead>;
};

export type RepoContextInput = {
  readonly snapshot: RepoSnapshot;
  readonly config: BackflowConfig;
  /** File analyses from earlier runs, by cache key. */
  readonly cache?: ReadonlyMap<string, FileAnalysis>;
  /** dbt YAML reads from an earlier run's `dbtReads`. */
  readonly dbtCache?: ReadonlyMap<string, DbtYamlRead>;
  /** A dbt catalog.json given from outside the repository (the CLI's `--catalog`). */
  readonly catalog?: BuildLineageOptions["catalog"];
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

/** The names of the repository's own dbt projects (installed packages under dbt_packages/ excluded). */
export function dbtProjectNames(files: ReadonlyMap<string, string>): string[] {
  const projectFiles = new Map([...files].filter(([path]) => path.endsWith("dbt_project.yml")));
  return [...new Set(findDbtProjects(projectFiles).flatMap((p) => (p.name ? [p.name] : [])))];
}

/**
 * The context of one repository snapshot: contracts first (their columns are declared columns of
 * the lineage), then lineage reusing cached analyses and dbt YAML reads, then the contracts bound to
 * the graph's tables. Pure: the GitHub loader, the CLI and the analysis worker thread all call it.
 */
export function repoContextOf(input: RepoContextInput): RepoContext {
  const { snapshot, config } = input;
  const loaded = loadContracts(snapshot.files, config);
  const built = buildLineage(snapshot.files, config, {
    ...(snapshot.shas ? { shas: snapshot.shas } : {}),
    ...(input.cache ? { cache: input.cache } : {}),
    ...(input.dbtCache ? { dbtCache: input.dbtCache } : {}),
    ...(input.catalog ? { catalog: input.catalog } : {}),
    knownColumns: knownColumnsFromContracts(loaded.contracts),
  });
  const bound = bindContracts(
    loaded.contracts,
    config.contracts.bindings,
    built.graph.tables.map((t) => t.id),
  );
  const codeowners = findCodeowners(snapshot.files);
  return {
    config,
    graph: built.graph,
    contracts: bound.contracts,
    disabledContracts: loaded.disabled ?? [],
    contractDiagnostics: loaded.diagnostics,
    bindingDiagnostics: bound.diagnostics,
    slas: contractSlas(bound.contracts),
    dbtProjects: dbtProjectNames(snapshot.files),
    ...(codeowners ? { codeowners } : {}),
    analyses: built.analyses,
    dbtReads: built.dbtReads,
  };
}
