import { checkVersionBump } from "./check-version-bump.js";
import type { Contract } from "./contract.js";
import type { ContractChange } from "./contract-change.js";
import { diffContracts } from "./diff-contracts.js";

/** Pairs base and head contracts by format and id (then by file, for an id that changed). */
export function pairContracts(
  base: readonly Contract[],
  head: readonly Contract[],
): { base: Contract | null; head: Contract | null }[] {
  const key = (c: Contract) => `${c.format}:${c.id}`;
  const headByKey = new Map(head.map((c) => [key(c), c]));
  const used = new Set<Contract>();
  const pairs: { base: Contract | null; head: Contract | null }[] = [];
  for (const b of base) {
    const h =
      headByKey.get(key(b)) ??
      head.find((c) => c.file === b.file && c.format === b.format && !base.some((x) => key(x) === key(c)));
    if (h) used.add(h);
    pairs.push({ base: b, head: h ?? null });
  }
  for (const h of head) if (!used.has(h)) pairs.push({ base: null, head: h });
  return pairs;
}

/** Every contract change between two snapshots of a repository, including the version rule's findings. */
export function diffContractSets(base: readonly Contract[], head: readonly Contract[]): ContractChange[] {
  return pairContracts(base, head).flatMap((pair) => {
    const changes = diffContracts(pair.base, pair.head);
    return [...changes, ...checkVersionBump(pair.base, pair.head, changes)];
  });
}
