import type { Contract, ContractDataset, ContractDiagnostic } from "./contract.js";

/**
 * The lineage table id a dataset names, first match wins: `contracts.bindings["<contractId>.<datasetName>"]`,
 * `contracts.bindings["<contractId>"]` (single-dataset contracts), the contract's customProperties
 * `backflowTable`/`dbtModel`, the dataset's physicalName, its name. Ids are lower-case.
 */
export function bindingOf(
  contract: Pick<Contract, "id" | "datasets">,
  dataset: Pick<ContractDataset, "name" | "physicalName" | "bindingHint">,
  bindings: Readonly<Record<string, string>>,
): string {
  const explicit =
    bindings[`${contract.id}.${dataset.name}`] ??
    (contract.datasets.length === 1 ? bindings[contract.id] : undefined);
  return (explicit ?? dataset.bindingHint ?? dataset.physicalName ?? dataset.name).trim().toLowerCase();
}

/**
 * Resolves a name against the known lineage table ids: exact, else the one id sharing its last
 * dot-separated part (so `analytics.public.fct_orders` finds `fct_orders` and back). Ambiguity → undefined.
 */
function resolveAgainst(tableId: string, known: ReadonlySet<string>): string | undefined {
  if (known.has(tableId)) return tableId;
  const last = tableId.split(".").pop() ?? tableId;
  const candidates = [...known].filter((id) => (id.split(".").pop() ?? id) === last);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Sets `tableId` on every dataset. With `knownTableIds` (from the lineage graph), names are resolved
 * against them and each dataset that matches no table is reported, so a typo never silently unbinds.
 */
export function bindContracts(
  contracts: readonly Contract[],
  bindings: Readonly<Record<string, string>>,
  knownTableIds?: Iterable<string>,
): { contracts: Contract[]; diagnostics: ContractDiagnostic[] } {
  const known = knownTableIds ? new Set([...knownTableIds].map((id) => id.toLowerCase())) : undefined;
  const diagnostics: ContractDiagnostic[] = [];
  const bound = contracts.map((contract) => ({
    ...contract,
    datasets: contract.datasets.map((dataset) => {
      const named = bindingOf(contract, dataset, bindings);
      if (!known) return { ...dataset, tableId: named };
      const resolved = resolveAgainst(named, known);
      if (resolved === undefined) {
        const guesses = closestTables(named, known);
        const guess = guesses.length === 1 ? guesses[0] : undefined;
        const hint = guesses.length > 0 ? `did you mean ${guesses.map((g) => `"${g}"`).join(" or ")}? ` : "";
        diagnostics.push({
          file: contract.file,
          line: dataset.line,
          severity: "warning",
          message: `contract "${contract.id}" dataset "${dataset.name}" is bound to nothing: no model or source produces "${named}", so changes reaching it go unchecked; ${hint}set contracts.bindings: { "${contract.id}.${dataset.name}": ${guess ? `"${guess}"` : "<table id>"} } in .github/backflow.yml or fix the contract's name`,
        });
      }
      return { ...dataset, tableId: resolved ?? named };
    }),
  }));
  return { contracts: bound, diagnostics };
}

/** Edit distance between two short strings (Levenshtein), stopping early past `limit`. */
function distance(a: string, b: string, limit: number, rows: [Uint16Array, Uint16Array]): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let [previous, row] = rows;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      row[j] = value;
      if (value < best) best = value;
    }
    if (best > limit) return limit + 1;
    [previous, row] = [row, previous];
  }
  return previous[b.length] ?? limit + 1;
}

/** Lower-case, `-` as `_`, numbers without leading zeros: `Mart-01` and `mart_001` read alike. */
const loose = (id: string) =>
  id
    .toLowerCase()
    .replace(/-/g, "_")
    .replace(/\d+/g, (n) => String(Number(n)));
const lastPart = (id: string) => id.split(".").pop() ?? id;

type NameIndex = { id: string; last: string; loose: string; bag: Uint8Array }[];

/** Letter counts (a–z, 0–9, other): half their L1 difference is a lower bound of the edit distance. */
function bagOf(text: string): Uint8Array {
  const bag = new Uint8Array(37);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 32;
    const slot = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : 36;
    bag[slot] = Math.min(255, (bag[slot] ?? 0) + 1);
  }
  return bag;
}

function bagBound(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return Math.ceil(sum / 2);
}
const indexes = new WeakMap<ReadonlySet<string>, NameIndex>();

function nameIndex(known: ReadonlySet<string>): NameIndex {
  let index = indexes.get(known);
  if (!index) {
    index = [...known].map((id) => ({
      id,
      last: lastPart(id),
      loose: loose(lastPart(id)),
      bag: bagOf(lastPart(id)),
    }));
    indexes.set(known, index);
  }
  return index;
}

/**
 * The known tables nearest to `name`, for a "did you mean": those equal up to case, `-`/`_` and leading
 * zeros (`mart_01` → `mart_001`), else the nearest by edit distance when at most a third of the name
 * differs; at most three, empty when nothing is close.
 */
export function closestTables(name: string, known: ReadonlySet<string>): string[] {
  const index = nameIndex(known);
  const target = lastPart(name);
  const targetLoose = loose(target);
  const same = index.filter((n) => n.loose === targetLoose).map((n) => n.id);
  if (same.length > 0) return same.sort().slice(0, 3);
  const limit = Math.max(1, Math.floor(target.length / 3));
  const width = Math.max(name.length, ...index.map((n) => n.id.length)) + 1;
  const rows: [Uint16Array, Uint16Array] = [new Uint16Array(width), new Uint16Array(width)];
  let best = limit + 1;
  let found: string[] = [];
  const targetBag = bagOf(target);
  for (const n of index) {
    if (bagBound(targetBag, n.bag) > Math.min(limit, best) && n.id === n.last) continue;
    let d = distance(target, n.last, Math.min(limit, best), rows);
    if (d > limit && n.id !== n.last) d = distance(name, n.id, Math.min(limit, best), rows);
    if (d < best) {
      best = d;
      found = [n.id];
    } else if (d === best && d <= limit) found.push(n.id);
  }
  return found.sort().slice(0, 3);
}
