import type { ContractColumn } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import { diffColumnValues } from "./diff-column-values.js";
import { type DiffContext, normalizeText } from "./diff-context.js";
import { compareTypes } from "./type-lattice.js";

const key = (name: string) => name.toLowerCase();

/**
 * Pairs removed with added columns only on evidence: the head contract names the old column
 * (`renamedFrom`), or the SQL shows the same expression under a new alias (`options.sqlRenames`).
 * "One column removed and one of the same type added" is not evidence: that is a removal and an addition.
 */
function detectRenames(
  removed: readonly ContractColumn[],
  added: readonly ContractColumn[],
  ctx: DiffContext,
): Map<ContractColumn, { next: ContractColumn; evidence: string }> {
  const sql = ctx.options?.sqlRenames?.get(ctx.dataset.toLowerCase());
  const pairs = new Map<ContractColumn, { next: ContractColumn; evidence: string }>();
  const taken = new Set<ContractColumn>();
  for (const old of removed) {
    const byContract = added.find(
      (n) => !taken.has(n) && n.renamedFrom && key(n.renamedFrom) === key(old.name),
    );
    const sqlName = sql?.get(key(old.name));
    const bySql = sqlName ? added.find((n) => !taken.has(n) && key(n.name) === key(sqlName)) : undefined;
    const next = byContract ?? bySql;
    if (!next) continue;
    taken.add(next);
    pairs.set(old, {
      next,
      evidence: byContract ? "the contract's renamedFrom" : "the SQL (same expression, new alias)",
    });
  }
  return pairs;
}

/** Column-level changes of one dataset. Names compare case-insensitively, as SQL identifiers do. */
export function diffColumns(
  before: readonly ContractColumn[],
  after: readonly ContractColumn[],
  ctx: DiffContext,
): ContractChange[] {
  const afterByName = new Map(after.map((c) => [key(c.name), c]));
  const beforeNames = new Set(before.map((c) => key(c.name)));
  const removed = before.filter((c) => !afterByName.has(key(c.name)));
  const added = after.filter((c) => !beforeNames.has(key(c.name)));
  const renames = detectRenames(removed, added, ctx);
  const renamedTo = new Set([...renames.values()].map((r) => r.next));
  const changes: ContractChange[] = [];
  for (const old of removed) {
    const rename = renames.get(old);
    if (rename) {
      const { next, evidence } = rename;
      changes.push(
        makeChange("column_renamed", {
          ...ctx,
          column: old.name,
          before: old.name,
          after: next.name,
          message: `column ${old.name} was renamed to ${next.name} (shown by ${evidence}); consumers reading ${old.name} break`,
          line: next.line,
        }),
      );
      changes.push(...diffColumn(old, next, { ...ctx, column: next.name, line: next.line }));
    } else {
      changes.push(
        makeChange("column_removed", {
          ...ctx,
          column: old.name,
          before: old.name,
          message: `column ${old.name} was removed`,
          line: old.line,
        }),
      );
    }
  }
  for (const next of added) {
    if (renamedTo.has(next)) continue;
    const note = next.required ? " (required)" : "";
    changes.push(
      makeChange("column_added", {
        ...ctx,
        column: next.name,
        after: next.name,
        message: `column ${next.name} was added${note}`,
        line: next.line,
      }),
    );
  }
  for (const old of before) {
    const next = afterByName.get(key(old.name));
    if (next) changes.push(...diffColumn(old, next, { ...ctx, column: next.name, line: next.line }));
  }
  return changes;
}

export type ColumnContext = DiffContext & { column: string; line: number };

function diffColumn(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const changes = [
    ...diffType(a, b, ctx),
    ...diffFlags(a, b, ctx),
    ...diffTests(a, b, ctx),
    ...diffColumnValues(a, b, ctx),
  ];
  if (a.classification !== b.classification) {
    changes.push(
      makeChange("classification_changed", {
        ...ctx,
        before: a.classification,
        after: b.classification,
        message: `classification of ${ctx.column} changed from ${a.classification ?? "none"} to ${b.classification ?? "none"}`,
      }),
    );
  }
  if (normalizeText(a.description) !== normalizeText(b.description)) {
    changes.push(makeChange("docs_changed", { ...ctx, message: `description of ${ctx.column} changed` }));
  }
  return changes;
}

/** `decimal(p, s)` for a column whose precision or scale is given apart from its type (ODCS, DCS). */
function digitsType(c: ContractColumn): string | undefined {
  if (c.precision === undefined && c.scale === undefined) return undefined;
  return `decimal(${c.precision ?? 38}, ${c.scale ?? 0})`;
}

/**
 * Every type change is breaking (dbt: any data_type change; datacontract-cli: type-changed is an error):
 * a widening breaks consumers that read into the old type (an int reader of a bigint column overflows),
 * a narrowing binds the producer to fit its data. `contracts.widening: non-breaking` opts widening out.
 */
function diffType(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  // Physical types decide when both sides have one; the logical type still catches e.g. string → date on text.
  const pairs: [string | undefined, string | undefined, string][] = [
    [a.physicalType, b.physicalType, "type"],
    [a.type, b.type, "logical type"],
    [
      digitsType(a) ?? (digitsType(b) ? "numeric" : undefined),
      digitsType(b) ?? (digitsType(a) ? "numeric" : undefined),
      "precision/scale",
    ],
  ];
  for (const [before, after, what] of pairs) {
    if (before === undefined || after === undefined) continue;
    const verdict = compareTypes(before, after);
    if (verdict === "same") continue;
    const kind =
      verdict === "widened" ? "type_widened" : verdict === "narrowed" ? "type_narrowed" : "type_changed";
    const how = verdict === "unknown" ? "changed" : verdict;
    const optedIn = kind === "type_widened" && ctx.options?.wideningNonBreaking === true;
    const why =
      kind === "type_widened"
        ? optedIn
          ? " (widening is non-breaking in this repository: contracts.widening)"
          : "; consumers reading it into the old type can overflow or fail (dbt: every data_type change is breaking)"
        : kind === "type_narrowed"
          ? "; the producer must make every value fit"
          : "; consumers must adapt to the new type";
    return [
      makeChange(
        kind,
        {
          ...ctx,
          before,
          after,
          message: `${what} of ${ctx.column} ${how} from ${before} to ${after}${why}`,
        },
        optedIn ? { class: "non-breaking", mustAct: "nobody" } : undefined,
      ),
    ];
  }
  return [];
}

/**
 * Constraints. Removing one is breaking for consumers, even when a dbt test of the same kind remains
 * (tests run after the build and guarantee nothing). Adding one binds the producer: in a dbt contract
 * dbt enforces it when building and does not count it as breaking; in ODCS/DCS data that passed
 * before may now fail validation (datacontract-cli: error).
 */
function diffFlags(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const changes: ContractChange[] = [];
  const flag = (before: boolean, after: boolean) => ({ before: String(before), after: String(after) });
  const added = ctx.format === "dbt" ? ({ class: "non-breaking", mustAct: "producer" } as const) : undefined;
  const addedNote =
    ctx.format === "dbt"
      ? "; it binds the producer (dbt enforces it when building) and is not breaking for consumers"
      : "; the producer must guarantee it, and data that passed before may now fail";
  const testNote = (test: string) =>
    b.tested?.includes(test)
      ? ` (a ${test} test remains, but tests run after the build and guarantee nothing)`
      : "";
  if (a.primaryKey !== b.primaryKey) {
    changes.push(
      b.primaryKey
        ? makeChange(
            "pk_added",
            {
              ...ctx,
              ...flag(a.primaryKey, b.primaryKey),
              message: `${ctx.column} became part of the primary key${addedNote}`,
            },
            added,
          )
        : makeChange("pk_removed", {
            ...ctx,
            ...flag(a.primaryKey, b.primaryKey),
            message: `${ctx.column} is no longer part of the primary key: consumers relying on it as a key can break`,
          }),
    );
  }
  // A primary key implies required and unique: when they move with it, the key change says it all.
  const movedWithKey = (before: boolean, after: boolean) =>
    a.primaryKey !== b.primaryKey && before === a.primaryKey && after === b.primaryKey;
  if (a.required !== b.required && !movedWithKey(a.required, b.required)) {
    changes.push(
      b.required
        ? makeChange(
            "required_added",
            {
              ...ctx,
              ...flag(a.required, b.required),
              message: `${ctx.column} is now required (not null)${addedNote}`,
            },
            added,
          )
        : makeChange("required_removed", {
            ...ctx,
            ...flag(a.required, b.required),
            message: `${ctx.column} may now be null: consumers relying on it being present can break${testNote("not_null")}`,
          }),
    );
  }
  if (a.unique !== b.unique && !movedWithKey(a.unique, b.unique)) {
    changes.push(
      b.unique
        ? makeChange(
            "unique_added",
            { ...ctx, ...flag(a.unique, b.unique), message: `${ctx.column} is now unique${addedNote}` },
            added,
          )
        : makeChange("unique_removed", {
            ...ctx,
            ...flag(a.unique, b.unique),
            message: `${ctx.column} is no longer unique: consumers relying on one row per value can break${testNote("unique")}`,
          }),
    );
  }
  return changes;
}

/**
 * dbt not_null / unique tests on their own (no constraint on either side): removing one is a removed
 * quality rule (consumers lose the check), adding one binds the producer. A test replaced by the
 * constraint, or kept beside one, is covered by the constraint's change.
 */
function diffTests(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const guaranteed = (c: ContractColumn, test: string) => (test === "not_null" ? c.required : c.unique);
  const changes: ContractChange[] = [];
  for (const test of new Set([...(a.tested ?? []), ...(b.tested ?? [])])) {
    const before = a.tested?.includes(test) === true;
    const after = b.tested?.includes(test) === true;
    if (before === after || guaranteed(a, test) || guaranteed(b, test)) continue;
    changes.push(
      before
        ? makeChange("rule_removed", {
            ...ctx,
            before: `${test} test`,
            message: `the ${test} test on ${ctx.column} was removed`,
          })
        : makeChange("rule_added", {
            ...ctx,
            after: `${test} test`,
            message: `a ${test} test on ${ctx.column} was added`,
          }),
    );
  }
  return changes;
}
