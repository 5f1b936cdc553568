import type { Contract, ContractDataset } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import { diffColumns } from "./diff-columns.js";
import { type DiffContext, type DiffOptions, normalizeText } from "./diff-context.js";
import { diffRules } from "./diff-rules.js";
import { diffFreshness, diffSlas } from "./diff-slas.js";

/**
 * Classifies what changed between two versions of one contract (null = the contract does not exist
 * on that side). It compares normalized contracts, so re-formatting, comments and key order are
 * never changes. Each change carries its class (see CHANGE_RULES) and the line to annotate.
 *
 * @example diffContracts(base, head).filter((c) => c.class !== "non-breaking")
 */
export function diffContracts(
  base: Contract | null,
  head: Contract | null,
  options: DiffOptions = {},
): ContractChange[] {
  if (!base && !head) return [];
  const contract = head ?? base;
  if (!contract) return [];
  const file = contract.file;
  if (!base || !head) return wholeContract(contract, base === null ? "added" : "removed");
  const changes: ContractChange[] = [...diffMaterialization(base, head)];
  const ctx = { contractId: head.id, file, dataset: head.datasets[0]?.tableId ?? head.id, line: 1 };
  const datasetCtx = (tableId: string): DiffContext => ({
    contractId: head.id,
    file,
    dataset: tableId,
    format: head.format,
    options,
  });
  if (normalizeText(base.version) !== normalizeText(head.version)) {
    changes.push(
      makeChange("version_changed", {
        ...ctx,
        before: base.version,
        after: head.version,
        message: `contract ${head.id} version ${base.version ?? "none"} → ${head.version ?? "none"}`,
      }),
    );
  }
  if (normalizeText(base.status) !== normalizeText(head.status)) {
    changes.push(
      makeChange("status_changed", {
        ...ctx,
        before: base.status,
        after: head.status,
        message: `contract ${head.id} status ${base.status ?? "none"} → ${head.status ?? "none"}`,
      }),
    );
  }
  const headByName = new Map(head.datasets.map((d) => [datasetKey(d), d]));
  for (const old of base.datasets) {
    const next =
      headByName.get(datasetKey(old)) ??
      head.datasets.find(
        (d) => d.tableId === old.tableId && !base.datasets.some((b) => datasetKey(b) === datasetKey(d)),
      );
    if (!next) {
      changes.push(
        makeChange("dataset_removed", {
          contractId: head.id,
          file,
          dataset: old.tableId,
          message: `dataset ${old.name} was removed from contract ${head.id}`,
          line: 1,
        }),
      );
      continue;
    }
    changes.push(...diffDataset(old, next, datasetCtx(next.tableId)));
  }
  const matched = new Set(base.datasets.map(datasetKey));
  for (const next of head.datasets) {
    if (matched.has(datasetKey(next)) || base.datasets.some((b) => b.tableId === next.tableId)) continue;
    changes.push(
      makeChange("dataset_added", {
        contractId: head.id,
        file,
        dataset: next.tableId,
        message: `dataset ${next.name} was added to contract ${head.id}`,
        line: next.line,
      }),
    );
  }
  return changes;
}

const datasetKey = (d: ContractDataset) => d.name.toLowerCase();

function wholeContract(contract: Contract, how: "added" | "removed"): ContractChange[] {
  return contract.datasets.map((dataset) => {
    const fields = {
      contractId: contract.id,
      file: contract.file,
      dataset: dataset.tableId,
      line: dataset.line,
    };
    if (how === "added") {
      return makeChange("dataset_added", {
        ...fields,
        message: `contract ${contract.id} now covers ${dataset.name}`,
      });
    }
    const why =
      contract.format === "dbt"
        ? "its contract is no longer enforced, the model or its properties were removed, or the properties file no longer loads (see diagnostics) (dbt: breaking)"
        : "the contract file was removed or no longer validates (see diagnostics)";
    return makeChange("dataset_removed", {
      ...fields,
      message: `contract ${contract.id} no longer covers ${dataset.name}: ${why}`,
    });
  });
}

function diffDataset(a: ContractDataset, b: ContractDataset, ctx: DiffContext): ContractChange[] {
  const columnChanges = diffColumns(a.columns, b.columns, ctx);
  const lower = (name: string | undefined) => (name ?? "").toLowerCase();
  const fate = {
    dropped: new Set(columnChanges.filter((c) => c.kind === "column_removed").map((c) => lower(c.column))),
    renames: new Map(
      columnChanges.filter((c) => c.kind === "column_renamed").map((c) => [lower(c.before), lower(c.after)]),
    ),
  };
  const changes = [
    ...columnChanges,
    ...diffRules(a.rules, b.rules, ctx, fate),
    ...diffFreshness(a.freshness, b.freshness, ctx, b.line),
    ...diffSlas(a.slas, b.slas, ctx, b.line),
  ];
  if (normalizeText(a.description) !== normalizeText(b.description)) {
    changes.push(
      makeChange("docs_changed", { ...ctx, message: `description of ${b.name} changed`, line: b.line }),
    );
  }
  return changes;
}

/** Materializations that let dbt enforce constraints (dbt's materialization_enforces_constraints). */
const ENFORCING = new Set(["table", "incremental"]);

/**
 * dbt: a model with enforced constraints whose materialization moves to one that cannot enforce them
 * (table → view, incremental → ephemeral) is a breaking change — the constraints silently stop holding.
 */
function diffMaterialization(base: Contract, head: Contract): ContractChange[] {
  const before = base.dbt?.materialized ?? (base.dbt ? "view" : undefined);
  const after = head.dbt?.materialized ?? (head.dbt ? "view" : undefined);
  if (!before || !after || before === after || !base.dbt?.enforcesConstraints) return [];
  if (!ENFORCING.has(before) || ENFORCING.has(after)) return [];
  const dataset = head.datasets[0];
  return [
    makeChange("materialization_changed", {
      contractId: head.id,
      file: head.file,
      dataset: dataset?.tableId ?? head.id,
      before,
      after,
      line: dataset?.line ?? 1,
      message: `${head.id} is now materialized as ${after} instead of ${before}: its constraints can no longer be enforced (dbt: breaking)`,
    }),
  ];
}
