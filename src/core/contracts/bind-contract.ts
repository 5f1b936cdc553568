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
        diagnostics.push({
          file: contract.file,
          line: dataset.line,
          severity: "warning",
          message: `contract "${contract.id}" dataset "${dataset.name}" names table "${named}", which no model or source produces; add contracts.bindings: { "${contract.id}.${dataset.name}": <table id> } to .github/backflow.yml`,
        });
      }
      return { ...dataset, tableId: resolved ?? named };
    }),
  }));
  return { contracts: bound, diagnostics };
}
