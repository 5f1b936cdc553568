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
import { buildImpactReport, type ChangedPath, type ImpactSide } from "./build-impact-report.js";
import type { ImpactReport } from "./impact-report.js";

export type AnalyzedImpact = {
  readonly report: ImpactReport;
  readonly baseGraph: LineageGraph;
  readonly headGraph: LineageGraph;
  /** Every file analysis used on either side, by cache key, for the caller to store. */
  readonly analyses: Map<string, FileAnalysis>;
};

/**
 * The whole impact pass on two repository snapshots: contracts, lineage (reusing cached analyses),
 * CODEOWNERS at head, and the report. Without `changedFiles`, the files whose content differs between
 * the snapshots are the diff (right when `base` is the merge base).
 */
export function analyzeImpact(input: {
  base: RepoSnapshot;
  head: RepoSnapshot;
  config: BackflowConfig;
  changedFiles?: readonly ChangedPath[];
  cache?: ReadonlyMap<string, FileAnalysis>;
}): AnalyzedImpact {
  const analyses = new Map<string, FileAnalysis>();
  const side = (snapshot: RepoSnapshot): ImpactSide & { graph: LineageGraph } => {
    const loaded = loadContracts(snapshot.files, input.config).contracts;
    const built = buildLineage(snapshot.files, input.config, {
      ...(snapshot.shas ? { shas: snapshot.shas } : {}),
      ...(input.cache ? { cache: input.cache } : {}),
      knownColumns: knownColumnsFromContracts(loaded),
    });
    for (const [key, analysis] of built.analyses) analyses.set(key, analysis);
    const contracts: Contract[] = bindContracts(
      loaded,
      input.config.contracts.bindings,
      built.graph.tables.map((t) => t.id),
    ).contracts;
    return { graph: built.graph, contracts, files: snapshot.files };
  };
  const base = side(input.base);
  const head = side(input.head);
  const codeowners = findCodeowners(input.head.files);
  const report = buildImpactReport({
    base,
    head,
    config: input.config,
    ...(codeowners ? { codeowners } : {}),
    changedFiles: input.changedFiles ?? changedBetween(input.base, input.head),
  });
  return { report, baseGraph: base.graph, headGraph: head.graph, analyses };
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
