import type { ContractColumn } from "./contract.js";
import { type ChangeKind, type ContractChange, makeChange } from "./contract-change.js";
import type { ColumnContext } from "./diff-columns.js";

type Bound = { value: number; open: boolean };
type Range = { lo?: Bound; hi?: Bound };

/** The tighter of a closed and an open bound on the same side (`minimum: 0, exclusiveMinimum: 0` → `> 0`). */
function bound(closed: number | undefined, open: number | undefined, side: "lo" | "hi"): Bound | undefined {
  if (closed === undefined) return open === undefined ? undefined : { value: open, open: true };
  if (open === undefined) return { value: closed, open: false };
  const openWins = side === "lo" ? open >= closed : open <= closed;
  return openWins ? { value: open, open: true } : { value: closed, open: false };
}

/** -1: `b` accepts less on this side than `a`; 1: more; 0: the same. */
function compareSide(a: Bound | undefined, b: Bound | undefined, side: "lo" | "hi"): -1 | 0 | 1 {
  if (!a && !b) return 0;
  if (!a) return -1;
  if (!b) return 1;
  if (a.value === b.value) return a.open === b.open ? 0 : b.open ? -1 : 1;
  const bMoreInward = side === "lo" ? b.value > a.value : b.value < a.value;
  return bMoreInward ? -1 : 1;
}

/** Tightened when either side now accepts less (datacontract-cli: error); loosened when only wider. */
function compareRanges(a: Range, b: Range): "tightened" | "loosened" | undefined {
  const sides = [compareSide(a.lo, b.lo, "lo"), compareSide(a.hi, b.hi, "hi")];
  if (sides.includes(-1)) return "tightened";
  return sides.includes(1) ? "loosened" : undefined;
}

function showRange(r: Range): string {
  const lo = r.lo ? `${r.lo.open ? ">" : "≥"} ${r.lo.value}` : "";
  const hi = r.hi ? `${r.hi.open ? "<" : "≤"} ${r.hi.value}` : "";
  return [lo, hi].filter(Boolean).join(" and ") || "unbounded";
}

function showLength(r: Range): string {
  if (!r.lo && !r.hi) return "any length";
  return `length ${r.lo?.value ?? 0}..${r.hi?.value ?? "∞"}`;
}

/**
 * Allowed values, value range (minimum/maximum, exclusive bounds), length, pattern and format of a
 * column (ODCS logicalTypeOptions, DCS field options). A stricter one binds the producer and is breaking
 * (datacontract-cli: validation-constraint tightening is an error); a looser one is not (info).
 */
export function diffColumnValues(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const changes = diffAllowed(a, b, ctx);
  const valueRange = (c: ContractColumn): Range => ({
    lo: bound(c.minimum, c.exclusiveMinimum, "lo"),
    hi: bound(c.maximum, c.exclusiveMaximum, "hi"),
  });
  const range = compareRanges(valueRange(a), valueRange(b));
  if (range) {
    const [before, after] = [showRange(valueRange(a)), showRange(valueRange(b))];
    changes.push(
      makeChange(range === "tightened" ? "range_tightened" : "range_loosened", {
        ...ctx,
        before,
        after,
        message: `allowed range of ${ctx.column} ${range} from ${before} to ${after}${range === "tightened" ? ": the producer must keep every value inside it" : ""}`,
      }),
    );
  }
  const lengths = (c: ContractColumn): Range => ({
    lo: c.minLength === undefined || c.minLength === 0 ? undefined : { value: c.minLength, open: false },
    hi: c.maxLength === undefined ? undefined : { value: c.maxLength, open: false },
  });
  const length = compareRanges(lengths(a), lengths(b));
  if (length) {
    const [before, after] = [showLength(lengths(a)), showLength(lengths(b))];
    changes.push(
      makeChange(length === "tightened" ? "length_tightened" : "length_loosened", {
        ...ctx,
        before,
        after,
        message: `${ctx.column}: ${before} → ${after}${length === "tightened" ? ": the producer must keep every value inside it" : ""}`,
      }),
    );
  }
  changes.push(
    ...textOption(a.pattern, b.pattern, ctx, "pattern", [
      "pattern_added",
      "pattern_removed",
      "pattern_changed",
    ]),
    ...textOption(a.format, b.format, ctx, "format", ["format_added", "format_removed", "format_changed"]),
  );
  return changes;
}

/** A pattern or format: added tightens, removed loosens, replaced cannot be ordered (datacontract-cli: warning). */
function textOption(
  before: string | undefined,
  after: string | undefined,
  ctx: ColumnContext,
  what: string,
  [added, removed, changed]: [ChangeKind, ChangeKind, ChangeKind],
): ContractChange[] {
  if (before === after) return [];
  const kind = before === undefined ? added : after === undefined ? removed : changed;
  const how =
    kind === added
      ? `now must match ${what} ${after}: the producer must comply`
      : kind === removed
        ? `no longer has the ${what} ${before}`
        : `${what} changed from ${before} to ${after}; which values pass cannot be compared`;
  return [makeChange(kind, { ...ctx, before, after, message: `${ctx.column} ${how}` })];
}

/**
 * Allowed values. Restricting them binds the producer: breaking in ODCS/DCS (datacontract-cli: error),
 * not breaking in a dbt contract, where they come from an accepted_values test, which dbt does not
 * count as part of the contract.
 */
function diffAllowed(a: ContractColumn, b: ContractColumn, ctx: ColumnContext): ContractChange[] {
  const oldValues = a.allowedValues;
  const newValues = b.allowedValues;
  const changes: ContractChange[] = [];
  const restricted =
    ctx.format === "dbt" ? ({ class: "non-breaking", mustAct: "producer" } as const) : undefined;
  if (oldValues && newValues) {
    const gone = oldValues.filter((v) => !newValues.includes(v));
    const added = newValues.filter((v) => !oldValues.includes(v));
    if (gone.length > 0)
      changes.push(
        makeChange(
          "allowed_values_removed",
          {
            ...ctx,
            before: gone.join(", "),
            message: `${ctx.column} no longer accepts ${gone.join(", ")}: the producer must stop emitting them`,
          },
          restricted,
        ),
      );
    if (added.length > 0)
      changes.push(
        makeChange("allowed_values_added", {
          ...ctx,
          after: added.join(", "),
          message: `${ctx.column} now also takes ${added.join(", ")}; consumers mapping each value may not handle the new ones`,
        }),
      );
  } else if (newValues && !oldValues) {
    changes.push(
      makeChange(
        "allowed_values_removed",
        {
          ...ctx,
          after: newValues.join(", "),
          message: `${ctx.column} is now restricted to ${newValues.join(", ")}: the producer must comply`,
        },
        restricted,
      ),
    );
  } else if (oldValues && !newValues) {
    changes.push(
      makeChange("allowed_values_added", {
        ...ctx,
        before: oldValues.join(", "),
        message: `${ctx.column} is no longer restricted to ${oldValues.join(", ")}; consumers may meet any value`,
      }),
    );
  }
  return changes;
}
