import { checkVersionBump } from "./check-version-bump.js";
import type { Contract } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import type { DiffOptions } from "./diff-context.js";
import { diffContracts } from "./diff-contracts.js";

type Pair = { base: Contract | null; head: Contract | null };

/**
 * Pairs base and head contracts by format and id (then by file, for an id that changed). An unversioned
 * dbt model that became versioned pairs with its latest version: that is what `ref('model')` now reads.
 */
export function pairContracts(base: readonly Contract[], head: readonly Contract[]): Pair[] {
  const key = (c: Contract) => `${c.format}:${c.id}`;
  const headByKey = new Map(head.map((c) => [key(c), c]));
  const baseKeys = new Set(base.map(key));
  const used = new Set<Contract>();
  const pairs: Pair[] = [];
  const free = (c: Contract) => !used.has(c) && !baseKeys.has(key(c));
  for (const b of base) {
    const h =
      headByKey.get(key(b)) ??
      (b.dbt && b.dbt.version === undefined
        ? head.find(
            (c) => free(c) && c.dbt?.model === b.dbt?.model && c.dbt?.version === c.dbt?.latestVersion,
          )
        : undefined) ??
      head.find(
        (c) => free(c) && c.file === b.file && c.format === b.format && c.dbt?.model === b.dbt?.model,
      );
    if (h) used.add(h);
    pairs.push({ base: b, head: h ?? null });
  }
  for (const h of head) if (!used.has(h)) pairs.push({ base: null, head: h });
  return pairs;
}

export type ContractSetOptions = DiffOptions & {
  /** dbt contracts whose model is disabled at head (`enabled: false`): a disabled model is a deleted one. */
  readonly disabledAtHead?: readonly Contract[];
};

/** Every contract change between two snapshots of a repository, including the version rule's findings. */
export function diffContractSets(
  base: readonly Contract[],
  head: readonly Contract[],
  options: ContractSetOptions = {},
): ContractChange[] {
  const disabled = new Set((options.disabledAtHead ?? []).map((c) => c.id));
  const changes = pairContracts(base, head).flatMap((pair) => {
    if (pair.base && !pair.head && pair.base.format === "dbt" && disabled.has(pair.base.id)) {
      return disabledModel(pair.base);
    }
    const found = diffContracts(pair.base, pair.head, options);
    return [...found, ...checkVersionBump(pair.base, pair.head, found)];
  });
  return [...changes, ...latestVersionChanges(base, head, options)];
}

/** dbt: disabling a contracted model removes it for every consumer, as deleting it would. */
function disabledModel(contract: Contract): ContractChange[] {
  return contract.datasets.map((dataset) =>
    makeChange("dataset_removed", {
      contractId: contract.id,
      file: contract.file,
      dataset: dataset.tableId,
      line: dataset.line,
      message: `model ${contract.id} is disabled (enabled: false): for its consumers that is deleting it (dbt: breaking)`,
    }),
  );
}

/**
 * dbt model versions: a breaking change shipped as a new version breaks nobody pinned to the old one
 * (each version is its own contract). Moving `latest_version` changes what an unpinned `ref('model')`
 * reads, so the differences between the old and the new latest version are reported for those consumers.
 */
function latestVersionChanges(
  base: readonly Contract[],
  head: readonly Contract[],
  options: DiffOptions,
): ContractChange[] {
  const latest = (contracts: readonly Contract[]) => {
    const map = new Map<string, Contract>();
    for (const c of contracts) {
      if (c.dbt?.version !== undefined && c.dbt.version === c.dbt.latestVersion) map.set(c.dbt.model, c);
    }
    return map;
  };
  const before = latest(base);
  const after = latest(head);
  const changes: ContractChange[] = [];
  for (const [model, b] of before) {
    const h = after.get(model);
    if (!h || h.dbt?.version === b.dbt?.version) continue;
    const dataset = h.datasets[0]?.tableId ?? h.id;
    changes.push(
      makeChange("latest_version_changed", {
        contractId: h.id,
        file: h.file,
        dataset,
        before: b.dbt?.version,
        after: h.dbt?.version,
        line: h.datasets[0]?.line ?? 1,
        message: `latest_version of ${model} moved from ${b.dbt?.version} to ${h.dbt?.version}: ref('${model}') without a version now reads v${h.dbt?.version}`,
      }),
    );
    for (const change of diffContracts(b, h, options)) {
      if (
        change.kind === "dataset_removed" ||
        change.kind === "dataset_added" ||
        change.class === "non-breaking"
      )
        continue;
      changes.push({
        ...change,
        message: `for consumers of ref('${model}') without a version (v${b.dbt?.version} → v${h.dbt?.version}): ${change.message}`,
      });
    }
  }
  return changes;
}
