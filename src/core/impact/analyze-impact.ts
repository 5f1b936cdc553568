import { findCodeowners } from "../codeowners/parse-codeowners.js";
import type { BackflowConfig } from "../config/schema.js";
import { bindContracts } from "../contracts/bind-contract.js";
import { knownColumnsFromContracts } from "../contracts/check-sql-against-contract.js";
import type { Contract } from "../contracts/contract.js";
import { loadContracts } from "../contracts/load-contracts.js";
import { buildLineage } from "../lineage/build-lineage.js";
import type { FileAnalysis } from "../lineage/file-analysis.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { RepoSnapshot } from "../repo-files.js";
import type { DbtYamlRead } from "../sql/dbt/find-dbt-projects.js";
import { buildImpactReport, type ChangedPath, type ImpactSide } from "./build-impact-report.js";
import type { ImpactReport } from "./impact-report.js";

export type AnalyzedImpact = {
  readonly report: ImpactReport;
  readonly baseGraph: LineageGraph;
  readonly headGraph: LineageGraph;
  /** Every file analysis used on either side, by cache key, for the caller to store. */
  readonly analyses: Map<string, FileAnalysis>;
  /** Every dbt YAML read used on either side: pass as `dbtCache` next time. */
  readonly dbtReads: Map<string, DbtYamlRead>;
};

export type AnalyzeImpactInput = {
  readonly base: RepoSnapshot;
  readonly head: RepoSnapshot;
  readonly config: BackflowConfig;
  readonly changedFiles?: readonly ChangedPath[];
  /** File analyses from earlier runs, by cache key. */
  readonly cache?: ReadonlyMap<string, FileAnalysis>;
  /** dbt YAML reads from an earlier run's `dbtReads`. */
  readonly dbtCache?: ReadonlyMap<string, DbtYamlRead>;
};

/**
 * The whole impact pass on two repository snapshots: contracts, lineage (reusing cached analyses),
 * CODEOWNERS at head, and the report. Without `changedFiles`, the files whose content differs between
 * the snapshots are the diff (right when `base` is the merge base).
 */
export function analyzeImpact(input: AnalyzeImpactInput): AnalyzedImpact {
  const analyses = new Map<string, FileAnalysis>();
  const dbtReads = new Map<string, DbtYamlRead>();
  const side = (
    snapshot: RepoSnapshot,
    cache: ReadonlyMap<string, FileAnalysis> | undefined,
    dbtCache: ReadonlyMap<string, DbtYamlRead> | undefined,
  ): ImpactSide & { graph: LineageGraph } => {
    const all = loadContracts(snapshot.files, input.config);
    const loaded = all.contracts;
    const built = buildLineage(snapshot.files, input.config, {
      ...(snapshot.shas ? { shas: snapshot.shas } : {}),
      ...(cache ? { cache } : {}),
      ...(dbtCache ? { dbtCache } : {}),
      knownColumns: knownColumnsFromContracts(loaded),
    });
    for (const [key, analysis] of built.analyses) analyses.set(key, analysis);
    for (const [key, read] of built.dbtReads) dbtReads.set(key, read);
    // Binding only resolves names against the graph's tables; with no contract there is nothing to bind.
    const bound =
      loaded.length === 0
        ? { contracts: [] as Contract[], diagnostics: [] }
        : bindContracts(
            loaded,
            input.config.contracts.bindings,
            built.graph.tables.map((t) => t.id),
          );
    return {
      graph: built.graph,
      contracts: bound.contracts,
      files: snapshot.files,
      disabledContracts: all.disabled ?? [],
      contractDiagnostics: all.diagnostics,
      bindingDiagnostics: bound.diagnostics,
    };
  };
  const base = side(input.base, input.cache, input.dbtCache);
  // The head re-analyses only what the base did not: files the pull request changed and missing from the cache.
  const head = side(input.head, withFallback(input.cache, analyses), withFallback(input.dbtCache, dbtReads));
  const codeowners = findCodeowners(input.head.files);
  const report = buildImpactReport({
    base,
    head,
    config: input.config,
    ...(codeowners ? { codeowners } : {}),
    changedFiles: input.changedFiles ?? changedBetween(input.base, input.head),
  });
  return { report, baseGraph: base.graph, headGraph: head.graph, analyses, dbtReads };
}

/** `first`'s entries, then `second`'s for keys `first` lacks (no copy when either is empty). */
function withFallback<V>(
  first: ReadonlyMap<string, V> | undefined,
  second: ReadonlyMap<string, V>,
): ReadonlyMap<string, V> {
  if (!first || first.size === 0) return second;
  if (second.size === 0) return first;
  const merged = new Map(second);
  for (const [key, value] of first) merged.set(key, value);
  return merged;
}

/** Paths added, removed or modified between two snapshots (by blob SHA when both have one). */
export function changedBetween(base: RepoSnapshot, head: RepoSnapshot): string[] {
  const paths = new Set([...base.files.keys(), ...head.files.keys()]);
  return [...paths]
    .filter((path) => {
      const a = base.shas?.get(path);
      const b = head.shas?.get(path);
      if (a !== undefined && b !== undefined) return a !== b;
      return base.files.get(path) !== head.files.get(path);
    })
    .sort();
}
