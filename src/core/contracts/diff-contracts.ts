import type { Contract, ContractDataset, Freshness } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import { diffColumns } from "./diff-columns.js";
import { type DiffContext, normalizeText } from "./diff-context.js";
import { diffRules } from "./diff-rules.js";

/**
 * Classifies what changed between two versions of one contract (null = the contract does not exist
 * on that side). It compares normalized contracts, so re-formatting, comments and key order are
 * never changes. Each change carries its class (see CHANGE_RULES) and the line to annotate.
 *
 * @example diffContracts(base, head).filter((c) => c.class !== "non-breaking")
 */
export function diffContracts(base: Contract | null, head: Contract | null): ContractChange[] {
  if (!base && !head) return [];
  const contract = head ?? base;
  if (!contract) return [];
  const file = contract.file;
  if (!base || !head) return wholeContract(contract, base === null ? "added" : "removed");
  const changes: ContractChange[] = [];
  const ctx = { contractId: head.id, file, dataset: head.datasets[0]?.tableId ?? head.id, line: 1 };
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
    changes.push(...diffDataset(old, next, { contractId: head.id, file, dataset: next.tableId }));
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
        ? "its contract is no longer enforced or the model's properties were removed"
        : "the contract file was removed or no longer validates";
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
  ];
  if (normalizeText(a.description) !== normalizeText(b.description)) {
    changes.push(
      makeChange("docs_changed", { ...ctx, message: `description of ${b.name} changed`, line: b.line }),
    );
  }
  return changes;
}

const UNITS: readonly (readonly [RegExp, number])[] = [
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hrs?|hours?)$/, 3_600],
  [/^(d|days?)$/, 86_400],
  [/^(w|weeks?)$/, 604_800],
  [/^(mo|months?)$/, 2_592_000],
  [/^(y|yrs?|years?)$/, 31_536_000],
];

/** Seconds for `4 h`, `30 minutes`, `1 day`…; undefined for units Backflow does not know. */
export function durationSeconds(value: number, unit: string): number | undefined {
  const u = unit.trim().toLowerCase();
  const match = UNITS.find(([pattern]) => pattern.test(u));
  return match ? value * match[1] : undefined;
}

function diffFreshness(
  a: Freshness | undefined,
  b: Freshness | undefined,
  ctx: DiffContext,
  datasetLine: number,
): ContractChange[] {
  const show = (f: Freshness) => `${f.value} ${f.unit}`;
  if (!a && !b) return [];
  if (a && !b)
    return [
      makeChange("freshness_removed", {
        ...ctx,
        before: show(a),
        message: `freshness SLA (${show(a)}) was removed`,
        line: datasetLine,
      }),
    ];
  if (!a && b)
    return [
      makeChange("freshness_added", {
        ...ctx,
        after: show(b),
        message: `freshness SLA ${show(b)} was added`,
        line: b.line,
      }),
    ];
  if (!a || !b) return [];
  const before = durationSeconds(a.value, a.unit);
  const after = durationSeconds(b.value, b.unit);
  if (before !== undefined && before === after) return [];
  const fields = { ...ctx, before: show(a), after: show(b), line: b.line };
  if (before === undefined || after === undefined) {
    return [
      makeChange("freshness_changed", {
        ...fields,
        message: `freshness SLA changed from ${show(a)} to ${show(b)} (unit not understood)`,
      }),
    ];
  }
  return after > before
    ? [
        makeChange("freshness_loosened", {
          ...fields,
          message: `freshness SLA loosened from ${show(a)} to ${show(b)}: data may now arrive later than consumers expect`,
        }),
      ]
    : [
        makeChange("freshness_tightened", {
          ...fields,
          message: `freshness SLA tightened from ${show(a)} to ${show(b)}`,
        }),
      ];
}
