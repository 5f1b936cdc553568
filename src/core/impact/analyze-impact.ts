import { findCodeowners } from "../codeowners/parse-codeowners.js";
import type { BackflowConfig } from "../config/schema.js";
import type { FileAnalysis } from "../lineage/file-analysis.js";
import type { LineageGraph } from "../lineage/schema.js";
import { repoContextOf } from "../repo/repo-context.js";
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
  // Each side is the one repository context every flow builds (triage and proposals too).
  const side = (
    snapshot: RepoSnapshot,
    cache: ReadonlyMap<string, FileAnalysis> | undefined,
    dbtCache: ReadonlyMap<string, DbtYamlRead> | undefined,
  ): ImpactSide & { graph: LineageGraph } => {
    const context = repoContextOf({
      snapshot,
      config: input.config,
      ...(cache ? { cache } : {}),
      ...(dbtCache ? { dbtCache } : {}),
    });
    for (const [key, analysis] of context.analyses) analyses.set(key, analysis);
    for (const [key, read] of context.dbtReads) dbtReads.set(key, read);
    return {
      graph: context.graph,
      contracts: context.contracts,
      files: snapshot.files,
      disabledContracts: context.disabledContracts,
      contractDiagnostics: context.contractDiagnostics,
      bindingDiagnostics: context.bindingDiagnostics,
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
