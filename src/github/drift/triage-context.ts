import { resolveOwners } from "../../core/impact/resolve-owners.js";
import { type RepoContext, type RepoContextInput, repoContextOf } from "../../core/repo/repo-context.js";
import type { Finding } from "../../core/triage/triage-signal.js";

export { contractSlas, freshnessHours } from "../../core/repo/repo-context.js";

/** What triage needs to know about a repository at one commit: the repository context every flow uses. */
export type TriageContext = RepoContext;

/**
 * Lineage, contracts and CODEOWNERS of one repository snapshot, reusing cached file analyses: the
 * one context builder (`repoContextOf`), named for `backflow triage` (a local directory).
 */
export function triageContextOf(input: RepoContextInput): TriageContext {
  return repoContextOf(input);
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
