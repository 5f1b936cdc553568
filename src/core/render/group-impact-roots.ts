import type { ImpactReport } from "../impact/impact-report.js";

/** One change of a pull request (lineage or row-level) with what it reaches. */
export type ImpactChange = {
  readonly id: string;
  readonly table: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly class: "breaking" | "non-breaking" | "unknown";
  /** `table.column` or `table` keys of everything it reaches in other tables. */
  readonly reaches: ReadonlySet<string>;
  /** Downstream tables it reaches. */
  readonly models: ReadonlySet<string>;
  readonly contracts: ReadonlySet<string>;
  readonly owners: ReadonlySet<string>;
};

/** A root cause: a change no other change explains, with the changes whose effects it includes. */
export type ImpactRoot = { readonly change: ImpactChange; readonly followers: readonly ImpactChange[] };

const CLASS_RANK = { breaking: 0, unknown: 1, "non-breaking": 2 } as const;

/**
 * Every change with what it reaches. Owners are those of the contracts it reaches (one owner list per
 * contract everywhere), or the affected tables' owners when it reaches no contract.
 */
export function impactChanges(report: ImpactReport): ImpactChange[] {
  const ownersOf = new Map(report.contracts.map((c) => [c.id, c.owners]));
  const rows = [
    ...report.changes.map((c) => ({ ...c, class: c.class })),
    ...report.rowLevel.map((r) => ({ ...r, class: "non-breaking" as const })),
  ];
  return rows.map((c) => {
    const mine = report.affected.filter((a) => a.causes.includes(c.id));
    // What it reaches beyond its own column: downstream tables, including ones this pull request
    // also changed (a rename in a staging model reaches the marts whose files changed with it).
    const downstream = mine.filter((a) => a.table !== c.table);
    const contracts = new Set(mine.flatMap((a) => a.contracts));
    const contractOwners = [...contracts].flatMap((id) => ownersOf.get(id) ?? []);
    const owners = new Set(contractOwners.length > 0 ? contractOwners : mine.flatMap((a) => a.owners));
    return {
      id: c.id,
      table: c.table,
      message: c.message,
      file: c.file,
      line: c.line,
      class: c.class,
      reaches: new Set(downstream.map((a) => (a.column ? `${a.table}.${a.column}` : a.table))),
      models: new Set(downstream.map((a) => a.table)),
      contracts,
      owners,
    };
  });
}

/** Broader first (models, contracts, owners reached), then breaking before unknown before non-breaking. */
export function byBreadth(a: ImpactChange, b: ImpactChange): number {
  return (
    b.models.size - a.models.size ||
    b.contracts.size - a.contracts.size ||
    b.owners.size - a.owners.size ||
    CLASS_RANK[a.class] - CLASS_RANK[b.class] ||
    a.file.localeCompare(b.file) ||
    a.line - b.line
  );
}

/** Whether `root` explains `other`: it reaches the other's table, and all the other reaches. */
function explains(root: ImpactChange, other: ImpactChange): boolean {
  if (!root.models.has(other.table)) return false;
  for (const key of other.reaches) if (!root.reaches.has(key)) return false;
  for (const id of other.contracts) if (!root.contracts.has(id)) return false;
  return true;
}

/**
 * Groups a pull request's changes by origin: a change whose effects include another's (it reaches
 * the other's table and all it reaches) is that one's root. Roots are ranked by breadth, then class.
 *
 * @example a renamed staging column that flows into 300 models is one root with the 300 models' own
 * renames as followers.
 */
export function groupImpactRoots(report: ImpactReport): ImpactRoot[] {
  const changes = impactChanges(report).sort(byBreadth);
  const roots: { change: ImpactChange; followers: ImpactChange[] }[] = [];
  for (const change of changes) {
    const root = roots.find((r) => explains(r.change, change));
    if (root) root.followers.push(change);
    else roots.push({ change, followers: [] });
  }
  return roots;
}
