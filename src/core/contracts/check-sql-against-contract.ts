import type { LineageGraph, LineageTable } from "../lineage/schema.js";
import type { Contract, ContractColumn, ContractDataset } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import { compareTypes } from "./type-lattice.js";

/** Contracted column names per lineage table id, for the lineage engine to expand `select *` against. */
export function knownColumnsFromContracts(contracts: readonly Contract[]): Map<string, string[]> {
  const known = new Map<string, string[]>();
  for (const contract of contracts) {
    for (const dataset of contract.datasets) {
      const names = known.get(dataset.tableId) ?? [];
      for (const column of dataset.columns) {
        // `parent.child` is a nested field (DCS), a member of the `parent` column, not a column itself.
        if (!column.name.includes(".") && !names.includes(column.name)) names.push(column.name);
      }
      known.set(dataset.tableId, names);
    }
  }
  return known;
}

/**
 * The type of an expression's outermost cast (`cast(x as numeric(12, 2))`, `x::date`, `safe_cast(…)`),
 * or undefined when the expression is not a cast as a whole.
 */
export function outermostCastType(expression: string): string | undefined {
  const text = expression.trim().replace(/\s+/g, " ");
  const lower = text.toLowerCase();
  const call = /^(?:try_|safe_)?cast ?\(/.exec(lower);
  if (call && closingParen(lower, call[0].length - 1) === lower.length - 1) {
    const inner = text.slice(call[0].length, -1);
    const as = topLevelIndex(inner.toLowerCase(), " as ");
    return as === undefined ? undefined : inner.slice(as + 4).trim();
  }
  const colons = topLevelIndex(lower, "::", true);
  if (colons === undefined) return undefined;
  const type = text.slice(colons + 2).trim();
  return /^[a-z_][\w ]*(\([\d ,]*\))?$/i.test(type) ? type : undefined;
}

function closingParen(text: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    if (text[i] === ")" && --depth === 0) return i;
  }
  return undefined;
}

/** Index of `needle` outside parentheses and string literals (the last one when `last`). */
function topLevelIndex(text: string, needle: string, last = false): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  let found: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0 && text.startsWith(needle, i)) {
      found = i;
      if (!last) return i;
    }
  }
  return found;
}

/**
 * Compares each contracted model's SQL (as the lineage graph sees it) with its contracts: a contracted
 * column the SQL no longer produces, or whose outermost cast disagrees with the contract's type, is
 * a breaking change reported on the model file. Table-only lineage and `*` columns are not judged.
 */
export function checkSqlAgainstContracts(
  graph: LineageGraph,
  contracts: readonly Contract[],
): ContractChange[] {
  const tables = new Map(graph.tables.map((t) => [t.id.toLowerCase(), t]));
  const changes: ContractChange[] = [];
  for (const contract of contracts) {
    for (const dataset of contract.datasets) {
      const table = tables.get(dataset.tableId.toLowerCase());
      if (!table) {
        if (graph.tables.length > 0) changes.push(missingModel(contract, dataset));
        continue;
      }
      if (table.kind === "source" || !table.file || table.confidence !== "column") continue;
      if (table.columns.some((c) => c.name === "*")) continue;
      for (const column of dataset.columns) {
        if (column.name.includes(".")) continue; // a nested field; its parent column is checked
        changes.push(...checkColumn(contract, dataset, table, column));
      }
    }
  }
  return changes;
}

function missingModel(contract: Contract, dataset: ContractDataset): ContractChange {
  return makeChange("model_missing", {
    contractId: contract.id,
    file: contract.file,
    dataset: dataset.tableId,
    line: dataset.line,
    message: `contract ${contract.id} covers ${dataset.tableId}, but no model produces it (deleted or renamed?); restore the model or update the contract's binding`,
  });
}

function checkColumn(
  contract: Contract,
  dataset: ContractDataset,
  table: LineageTable,
  column: ContractColumn,
): ContractChange[] {
  const file = table.file ?? contract.file;
  const produced = table.columns.find((c) => c.name.toLowerCase() === column.name.toLowerCase());
  const fields = { contractId: contract.id, file, dataset: dataset.tableId, column: column.name };
  if (!produced) {
    return [
      makeChange("column_missing_in_sql", {
        ...fields,
        before: column.name,
        line: table.line ?? 1,
        message: `${table.id} no longer produces ${column.name}, which contract ${contract.id} promises (${contract.file}:${column.line})`,
      }),
    ];
  }
  const cast = produced.expression ? outermostCastType(produced.expression) : undefined;
  const promised = column.physicalType;
  if (!cast || !promised || compareTypes(promised, cast) === "same") return [];
  return [
    makeChange("type_mismatch_in_sql", {
      ...fields,
      before: promised,
      after: cast,
      line: produced.line,
      message: `${table.id}.${column.name} is cast to ${cast}, but contract ${contract.id} promises ${promised} (${contract.file}:${column.line})`,
    }),
  ];
}
