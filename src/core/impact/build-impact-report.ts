import type { CodeownersRule } from "../codeowners/parse-codeowners.js";
import type { BackflowConfig } from "../config/schema.js";
import { checkSqlAgainstContracts } from "../contracts/check-sql-against-contract.js";
import type { Contract, ContractDiagnostic } from "../contracts/contract.js";
import { needsSignOff } from "../contracts/contract-change.js";
import { diffContractSets } from "../contracts/diff-contract-sets.js";
import type { LineageGraph } from "../lineage/schema.js";
import type { RepoFiles } from "../repo-files.js";
import { collectAffected } from "./collect-affected.js";
import { type DiffedChange, diffLineage } from "./diff-lineage.js";
import type {
  Affected,
  ImpactReport,
  LineageChange,
  ReportedContractChange,
  RowLevelChange,
} from "./impact-report.js";
import { severityOf } from "./resolve-owners.js";
import { indexLineage } from "./trace-impact.js";

export type ImpactSide = {
  readonly graph: LineageGraph;
  readonly contracts: readonly Contract[];
  /** File texts, when at hand: lets formatting- and comment-only edits be recognised per file. */
  readonly files?: RepoFiles;
  /** Enforced dbt contracts of models disabled on this side (`enabled: false`). */
  readonly disabledContracts?: readonly Contract[];
  /** Problems loading contracts (a file that no longer parses reads as a removed contract). */
  readonly contractDiagnostics?: readonly ContractDiagnostic[];
  /** Datasets bound to no model or source, reported at head. */
  readonly bindingDiagnostics?: readonly ContractDiagnostic[];
};

/** A file the pull request changed; `previousPath` for renames. */
export type ChangedPath = string | { readonly path: string; readonly previousPath?: string };

export type ImpactInput = {
  readonly base: ImpactSide;
  readonly head: ImpactSide;
  readonly config: BackflowConfig;
  readonly codeowners?: readonly CodeownersRule[];
  /** The pull request's own diff (from its merge base): only changes in these files count. */
  readonly changedFiles: readonly ChangedPath[];
};

/**
 * Compares base and head of a pull request: lineage changes in the files it changed, the downstream
 * tables, columns, contracts and owners they reach, contract changes (with the version rule), and a
 * verdict. A breaking change that reaches nothing (no reader, no contract) does not make the verdict
 * breaking; an undecided (`unknown`) contract change does.
 */
export function buildImpactReport(input: ImpactInput): ImpactReport {
  const { config } = input;
  const inDiff = changedSet(input.changedFiles);
  const base = { index: indexLineage(input.base.graph), contracts: input.base.contracts };
  const head = { index: indexLineage(input.head.graph), contracts: input.head.contracts };
  const tableFile = (table: string) => base.index.tables.get(table)?.file ?? table;
  const diff = diffLineage({
    base: input.base.graph,
    head: input.head.graph,
    ...(input.base.files ? { baseFiles: input.base.files } : {}),
    ...(input.head.files ? { headFiles: input.head.files } : {}),
  });
  const scoped = diff.changes.filter(
    (c) => inDiff.has(c.file) || (c.before !== undefined && inDiff.has(tableFile(c.before))),
  );
  const rowLevel = diff.rowLevel.filter((r) => inDiff.has(r.file));
  const { affected, contracts } = collectAffected({
    base,
    head,
    changes: scoped,
    rowLevel,
    config,
    ...(input.codeowners ? { codeowners: input.codeowners } : {}),
  });
  const changes = scoped.map((c) => effectiveChange(c, affected, severityOf(config, c)));
  // The head SQL is checked against the head contracts where this diff touches either side.
  const contractFiles = new Map(
    [...input.base.contracts, ...input.head.contracts].map((c) => [c.id, c.file]),
  );
  const touched = (c: { file: string; dataset: string; contractId: string }) =>
    inDiff.has(c.file) ||
    inDiff.has(tableFile(c.dataset)) ||
    inDiff.has(contractFiles.get(c.contractId) ?? "");
  const contractChanges = [
    ...diffContractSets(input.base.contracts, input.head.contracts, {
      wideningNonBreaking: config.contracts.widening === "non-breaking",
      sqlRenames: sqlRenamesOf(diff.changes),
      ...(input.head.disabledContracts ? { disabledAtHead: input.head.disabledContracts } : {}),
    }),
    // Without contracts there is nothing to check, and no reason to index every table for it.
    ...(input.head.contracts.length > 0
      ? checkSqlAgainstContracts(input.head.graph, input.head.contracts)
      : []),
  ]
    .filter(touched)
    .map(
      (c): ReportedContractChange => ({
        ...c,
        severity: severityOf(config, { table: c.dataset, file: c.file }),
      }),
    );
  const { verdict, blocking, reasons } = decide(
    changes.map((c) => withReach(c, affected)),
    contractChanges,
    rowLevel,
  );
  return {
    version: 1,
    verdict,
    blocking,
    reasons,
    changes,
    affected: sortAffected(affected),
    contracts,
    contractChanges,
    rowLevel,
    diagnostics: diagnosticsFor(input, inDiff, affected),
  };
}

/** Renames the SQL shows (same expression, new alias), by table: the evidence a contract rename needs. */
function sqlRenamesOf(changes: readonly DiffedChange[]): Map<string, Map<string, string>> {
  const renames = new Map<string, Map<string, string>>();
  for (const c of changes) {
    if (c.kind !== "column_renamed" || c.before === undefined || c.after === undefined) continue;
    const table = renames.get(c.table.toLowerCase()) ?? new Map<string, string>();
    table.set(c.before.toLowerCase(), c.after);
    renames.set(c.table.toLowerCase(), table);
  }
  return renames;
}

function changedSet(changed: readonly ChangedPath[]): Set<string> {
  const set = new Set<string>();
  for (const entry of changed) {
    if (typeof entry === "string") set.add(entry);
    else {
      set.add(entry.path);
      if (entry.previousPath) set.add(entry.previousPath);
    }
  }
  return set;
}

/** A breaking or undecided change that nothing reads and no contract covers cannot break anyone. */
function effectiveChange(
  change: DiffedChange,
  affected: readonly Affected[],
  severity: "warn" | "fail",
): LineageChange {
  if (change.class === "non-breaking") return { ...change, severity };
  const reaches = affected.some(
    (a) => a.causes.includes(change.id) && (!a.changed || a.contracts.length > 0),
  );
  if (reaches) return { ...change, severity };
  return {
    ...change,
    class: "non-breaking",
    severity,
    message: `${change.message} (nothing downstream reads it and no contract covers it)`,
  };
}

/** The change's message with what it reaches, for the verdict's reasons. */
function withReach(change: LineageChange, affected: readonly Affected[]): LineageChange {
  const mine = affected.filter((a) => a.causes.includes(change.id));
  const downstream = mine.filter((a) => !a.changed);
  const contracts = [...new Set(mine.flatMap((a) => a.contracts))];
  if (downstream.length === 0 && contracts.length === 0) return change;
  const models = new Set(downstream.map((a) => a.table)).size;
  const parts = [
    ...(downstream.length > 0
      ? [
          `reaches ${downstream.length} downstream ${downstream.length === 1 ? "column or table" : "columns or tables"} in ${models} ${models === 1 ? "model" : "models"}`,
        ]
      : []),
    ...(contracts.length > 0 ? [`contracts ${contracts.join(", ")}`] : []),
  ];
  return { ...change, message: `${change.message}: ${parts.join("; ")}` };
}

function decide(
  changes: readonly LineageChange[],
  contractChanges: readonly ReportedContractChange[],
  rowLevel: readonly RowLevelChange[],
): Pick<ImpactReport, "verdict" | "blocking" | "reasons"> {
  const breaking = [
    ...changes.filter((c) => c.class !== "non-breaking"),
    ...contractChanges.filter((c) => needsSignOff(c)),
  ];
  if (breaking.length > 0) {
    const reasons = breaking.map((c) =>
      c.class === "unknown" ? `${c.message} (undecided: treated as breaking)` : c.message,
    );
    return { verdict: "breaking", blocking: breaking.some((c) => c.severity === "fail"), reasons };
  }
  const total = changes.length + contractChanges.length + rowLevel.length;
  if (total === 0) {
    return {
      verdict: "none",
      blocking: false,
      reasons: [
        "no lineage or contract change in this pull request's diff (formatting and comments are ignored)",
      ],
    };
  }
  const counts = new Map<string, number>();
  for (const kind of [
    ...changes.map((c) => c.kind),
    ...contractChanges.map((c) => c.kind),
    ...rowLevel.map(() => "row_level"),
  ]) {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const summary = [...counts].map(([kind, n]) => `${n} ${kind.replace(/_/g, " ")}`).join(", ");
  return { verdict: "non-breaking", blocking: false, reasons: [`no breaking change: ${summary}`] };
}

function sortAffected(affected: readonly Affected[]): Affected[] {
  return [...affected].sort(
    (a, b) =>
      Number(b.changed) - Number(a.changed) ||
      (a.path?.length ?? 0) - (b.path?.length ?? 0) ||
      a.table.localeCompare(b.table) ||
      (a.column ?? "").localeCompare(b.column ?? ""),
  );
}

function diagnosticsFor(
  input: ImpactInput,
  inDiff: ReadonlySet<string>,
  affected: readonly Affected[],
): ImpactReport["diagnostics"] {
  const files = new Set([...inDiff, ...affected.flatMap((a) => (a.file ? [a.file] : []))]);
  const fromGraph = input.head.graph.diagnostics.filter((d) => files.has(d.file));
  const affectedTables = new Set(affected.map((a) => a.table));
  const tableOnly = input.head.graph.tables
    .filter((t) => t.confidence === "table-only" && t.file && affectedTables.has(t.id))
    .map((t) => ({
      file: t.file ?? t.id,
      line: t.line ?? 1,
      severity: "warning" as const,
      message: `${t.id}: only table-level lineage (the SQL could not be analysed column by column)`,
    }));
  // Contract errors and contracts bound to nothing are reported on every run (what they should check goes
  // unchecked); other contract warnings only for files in the diff.
  const contractProblems = [
    ...(input.head.contractDiagnostics ?? []).filter((d) => d.severity === "error" || inDiff.has(d.file)),
    ...(input.head.bindingDiagnostics ?? []),
  ].map((d) => ({
    file: d.file,
    line: d.line,
    severity: d.severity,
    message: d.message,
  }));
  return [...fromGraph, ...tableOnly, ...contractProblems];
}
