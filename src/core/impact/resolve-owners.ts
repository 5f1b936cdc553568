import picomatch from "picomatch";
import type { CodeownersRule } from "../codeowners/parse-codeowners.js";
import { codeownersOf } from "../codeowners/parse-codeowners.js";
import type { BackflowConfig } from "../config/schema.js";
import type { Contract } from "../contracts/contract.js";

/** Contracts whose datasets are bound to `table`. */
export function contractsOn(contracts: readonly Contract[], table: string): Contract[] {
  return contracts.filter((c) => c.datasets.some((d) => d.tableId === table));
}

/**
 * Who owns a table, first source that names anyone wins: `owners` in the config (every glob that
 * matches the table id, in file order), then the owners of contracts on the table, then CODEOWNERS
 * for the file that produces it.
 * @example resolveOwners({ table: "fct_orders", config, contracts, file: "models/fct_orders.sql" })
 */
export function resolveOwners(input: {
  table: string;
  file?: string;
  config: Pick<BackflowConfig, "owners">;
  contracts: readonly Contract[];
  codeowners?: readonly CodeownersRule[];
}): string[] {
  const fromConfig = Object.entries(input.config.owners)
    .filter(([glob]) => glob === input.table || picomatch.isMatch(input.table, glob, { dot: true }))
    .flatMap(([, owners]) => owners);
  if (fromConfig.length > 0) return unique(fromConfig);
  const fromContracts = contractsOn(input.contracts, input.table).flatMap((c) => c.owners);
  if (fromContracts.length > 0) return unique(fromContracts);
  if (input.file && input.codeowners) return unique(codeownersOf(input.codeowners, input.file));
  return [];
}

/**
 * The severity that applies to a model, by its file path or table id: the last matching
 * `impact.severity` rule, `fail` when none matches.
 */
export function severityOf(
  config: Pick<BackflowConfig, "impact">,
  target: { table: string; file?: string },
): "warn" | "fail" {
  let level: "warn" | "fail" = "fail";
  for (const rule of config.impact.severity) {
    const match = picomatch(rule.path, { dot: true });
    if (match(target.table) || (target.file !== undefined && match(target.file))) level = rule.level;
  }
  return level;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
