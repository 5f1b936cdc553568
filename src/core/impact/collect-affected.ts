import type { CodeownersRule } from "../codeowners/parse-codeowners.js";
import type { BackflowConfig } from "../config/schema.js";
import type { Contract } from "../contracts/contract.js";
import type { Affected, AffectedContract, LineageChange, RowLevelChange } from "./impact-report.js";
import { contractsOn, resolveOwners } from "./resolve-owners.js";
import { type LineageIndex, type Reached, traceImpact } from "./trace-impact.js";

type Side = { readonly index: LineageIndex; readonly contracts: readonly Contract[] };

export type AffectedInput = {
  readonly base: Side;
  readonly head: Side;
  readonly changes: readonly Pick<LineageChange, "id" | "table" | "column" | "kind" | "file">[];
  readonly rowLevel: readonly RowLevelChange[];
  readonly config: Pick<BackflowConfig, "owners">;
  readonly codeowners?: readonly CodeownersRule[];
};

type Draft = Omit<Affected, "contracts" | "owners">;

const keyOf = (table: string, column?: string) =>
  column === undefined ? table : `${table}.${column.toLowerCase()}`;

/** Where a change starts in each graph: removed things only exist at base, added ones only at head. */
function startsOf(change: AffectedInput["changes"][number]): {
  table: string;
  column?: string;
  sides: ("base" | "head")[];
} {
  const sides: ("base" | "head")[] =
    change.kind === "table_removed" || change.kind === "table_renamed" || change.kind === "column_removed"
      ? ["base"]
      : change.kind === "table_added" || change.kind === "column_added"
        ? ["head"]
        : ["base", "head"];
  const column = change.kind.startsWith("table_") ? undefined : change.column;
  return { table: change.table, ...(column === undefined ? {} : { column }), sides };
}

function addReached(drafts: Map<string, Draft>, reached: Reached, cause: string): void {
  const key = keyOf(reached.table, reached.column);
  const known = drafts.get(key);
  if (known) {
    if (!known.causes.includes(cause)) known.causes.push(cause);
    return;
  }
  drafts.set(key, { ...reached, changed: false, causes: [cause] });
}

/**
 * The downstream closure of every change: the changed tables and columns themselves, then what reads
 * them (column-level where lineage allows, table-level otherwise), each with a shortest path, the
 * contracts on its table and its owners; and the contracts among them.
 */
export function collectAffected(input: AffectedInput): {
  affected: Affected[];
  contracts: AffectedContract[];
} {
  const drafts = new Map<string, Draft>();
  const traces: { start: { table: string; column?: string }; sides: ("base" | "head")[]; cause: string }[] =
    [];
  for (const change of input.changes) {
    const start = startsOf(change);
    const fileOf = input.head.index.tables.get(change.table)?.file ?? change.file;
    drafts.set(keyOf(change.table, start.column), {
      table: change.table,
      ...(start.column === undefined ? {} : { column: start.column }),
      file: fileOf,
      changed: true,
      via: "change",
      causes: [change.id],
    });
    traces.push({ start, sides: start.sides, cause: change.id });
  }
  for (const row of input.rowLevel) {
    if (!drafts.has(row.table)) {
      drafts.set(row.table, {
        table: row.table,
        file: row.file,
        changed: true,
        via: "change",
        causes: [row.id],
      });
    }
    traces.push({ start: { table: row.table }, sides: ["base", "head"], cause: row.id });
  }
  for (const trace of traces) {
    for (const side of trace.sides) {
      for (const reached of traceImpact(input[side].index, trace.start))
        addReached(drafts, reached, trace.cause);
    }
  }
  return finish(input, [...drafts.values()]);
}

function finish(
  input: AffectedInput,
  drafts: Draft[],
): { affected: Affected[]; contracts: AffectedContract[] } {
  const contractsById = new Map<string, { contract: Contract; tables: Set<string> }>();
  const affected = drafts.map((draft): Affected => {
    const onTable = [
      ...contractsOn(input.head.contracts, draft.table),
      ...contractsOn(input.base.contracts, draft.table),
    ];
    for (const contract of onTable) {
      const entry = contractsById.get(contract.id) ?? { contract, tables: new Set<string>() };
      entry.tables.add(draft.table);
      contractsById.set(contract.id, entry);
    }
    const contracts = [...new Set(onTable.map((c) => c.id))];
    const owners = resolveOwners({
      table: draft.table,
      ...(draft.file === undefined ? {} : { file: draft.file }),
      config: input.config,
      contracts: onTable,
      ...(input.codeowners ? { codeowners: input.codeowners } : {}),
    });
    return { ...draft, contracts, owners };
  });
  const contracts = [...contractsById.values()].map(({ contract, tables }) => ({
    id: contract.id,
    file: contract.file,
    ...(contract.version === undefined ? {} : { version: contract.version }),
    tables: [...tables].sort(),
    owners: contract.owners,
  }));
  return { affected, contracts: contracts.sort((a, b) => a.id.localeCompare(b.id)) };
}
