import type { ContractColumn } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import { type DiffContext, normalizeText } from "./diff-context.js";
import { compareTypes, normalizeType } from "./type-lattice.js";

const key = (name: string) => name.toLowerCase();
const typeOf = (c: ContractColumn) => normalizeType(c.physicalType ?? c.type ?? "");

/**
 * Pairs removed with added columns that are the same column under a new name: same type and either
 * the same position or the same (non-empty) description. A pair must be unambiguous on both sides.
 */
function detectRenames(
  before: readonly ContractColumn[],
  after: readonly ContractColumn[],
  removed: readonly ContractColumn[],
  added: readonly ContractColumn[],
): Map<ContractColumn, ContractColumn> {
  const looksSame = (old: ContractColumn, next: ContractColumn) =>
    typeOf(old) === typeOf(next) &&
    (before.indexOf(old) === after.indexOf(next) ||
      (normalizeText(old.description) !== "" &&
        normalizeText(old.description) === normalizeText(next.description)) ||
      (removed.length === 1 && added.length === 1));
  const pairs = new Map<ContractColumn, ContractColumn>();
  for (const old of removed) {
    const matches = added.filter((next) => looksSame(old, next));
    const [only] = matches;
    if (matches.length === 1 && only && removed.filter((o) => looksSame(o, only)).length === 1)
      pairs.set(old, only);
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
  const renames = detectRenames(before, after, removed, added);
  const renamedTo = new Set(renames.values());
  const changes: ContractChange[] = [];
  for (const old of removed) {
    const next = renames.get(old);
    if (next) {
      changes.push(
        makeChange("column_renamed", {
          ...ctx,
          column: old.name,
          before: old.name,
          after: next.name,
          message: `column ${old.name} was renamed to ${next.name}; consumers reading ${old.name} break`,
          line: next.line,
        }),
      );
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

type ColumnContext = DiffContext & { column: string; line: number };

function diffColumn(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const changes = [...diffType(a, b, ctx), ...diffFlags(a, b, ctx), ...diffValues(a, b, ctx)];
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

function diffType(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  // Physical types decide when both sides have one; the logical type still catches e.g. string → date on text.
  const pairs: [string | undefined, string | undefined][] = [
    [a.physicalType, b.physicalType],
    [a.type, b.type],
  ];
  for (const [before, after] of pairs) {
    if (before === undefined || after === undefined) continue;
    const verdict = compareTypes(before, after);
    if (verdict === "same") continue;
    const kind =
      verdict === "widened" ? "type_widened" : verdict === "narrowed" ? "type_narrowed" : "type_changed";
    const how = verdict === "unknown" ? "changed" : verdict;
    return [
      makeChange(kind, {
        ...ctx,
        before,
        after,
        message: `type of ${ctx.column} ${how} from ${before} to ${after}`,
      }),
    ];
  }
  return [];
}

function diffFlags(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const changes: ContractChange[] = [];
  const flag = (before: boolean, after: boolean) => ({ before: String(before), after: String(after) });
  if (a.primaryKey !== b.primaryKey) {
    changes.push(
      makeChange("pk_changed", {
        ...ctx,
        ...flag(a.primaryKey, b.primaryKey),
        message: `${ctx.column} ${b.primaryKey ? "became" : "is no longer"} part of the primary key`,
      }),
    );
  }
  if (a.required !== b.required) {
    const kind = b.required ? "required_added" : "required_removed";
    const message = b.required
      ? `${ctx.column} is now required (not null): the producer must guarantee it and rows with nulls now fail`
      : `${ctx.column} may now be null: consumers relying on it being present can break`;
    changes.push(makeChange(kind, { ...ctx, ...flag(a.required, b.required), message }));
  }
  if (a.unique !== b.unique && !(a.primaryKey !== b.primaryKey && b.unique === b.primaryKey)) {
    const kind = b.unique ? "unique_added" : "unique_removed";
    changes.push(
      makeChange(kind, {
        ...ctx,
        ...flag(a.unique, b.unique),
        message: `${ctx.column} is ${b.unique ? "now" : "no longer"} unique`,
      }),
    );
  }
  return changes;
}

function diffValues(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const changes: ContractChange[] = [];
  const oldValues = a.allowedValues;
  const newValues = b.allowedValues;
  if (oldValues && newValues) {
    const gone = oldValues.filter((v) => !newValues.includes(v));
    const added = newValues.filter((v) => !oldValues.includes(v));
    if (gone.length > 0)
      changes.push(
        makeChange("allowed_values_removed", {
          ...ctx,
          before: gone.join(", "),
          message: `${ctx.column} no longer accepts ${gone.join(", ")}`,
        }),
      );
    if (added.length > 0)
      changes.push(
        makeChange("allowed_values_added", {
          ...ctx,
          after: added.join(", "),
          message: `${ctx.column} now also takes ${added.join(", ")}; consumers may not handle the new values`,
        }),
      );
  } else if (newValues && !oldValues) {
    changes.push(
      makeChange("allowed_values_removed", {
        ...ctx,
        after: newValues.join(", "),
        message: `${ctx.column} is now restricted to ${newValues.join(", ")}`,
      }),
    );
  } else if (oldValues && !newValues) {
    changes.push(
      makeChange("allowed_values_added", {
        ...ctx,
        before: oldValues.join(", "),
        message: `${ctx.column} is no longer restricted to ${oldValues.join(", ")}`,
      }),
    );
  }
  const range = compareRange(a, b);
  if (range) {
    const before = `${a.minimum ?? "-∞"}..${a.maximum ?? "∞"}`;
    const after = `${b.minimum ?? "-∞"}..${b.maximum ?? "∞"}`;
    changes.push(
      makeChange(range, {
        ...ctx,
        before,
        after,
        message: `allowed range of ${ctx.column} changed from ${before} to ${after}`,
      }),
    );
  }
  if (a.pattern !== b.pattern) {
    const kind = a.pattern === undefined ? "range_tightened" : "pattern_changed";
    changes.push(
      makeChange(kind, {
        ...ctx,
        before: a.pattern,
        after: b.pattern,
        message: `pattern of ${ctx.column} changed from ${a.pattern ?? "none"} to ${b.pattern ?? "none"}`,
      }),
    );
  }
  return changes;
}

function compareRange(
  a: ContractColumn,
  b: ContractColumn,
): "range_tightened" | "range_loosened" | undefined {
  const lo = (x: number | undefined) => x ?? Number.NEGATIVE_INFINITY;
  const hi = (x: number | undefined) => x ?? Number.POSITIVE_INFINITY;
  if (lo(a.minimum) === lo(b.minimum) && hi(a.maximum) === hi(b.maximum)) return undefined;
  const narrower = lo(b.minimum) >= lo(a.minimum) && hi(b.maximum) <= hi(a.maximum);
  // Narrower constrains the producer; anything else lets values through that consumers never saw.
  return narrower ? "range_tightened" : "range_loosened";
}
