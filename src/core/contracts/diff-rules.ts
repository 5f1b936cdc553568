import type { ContractRule } from "./contract.js";
import { type ContractChange, makeChange } from "./contract-change.js";
import { type DiffContext, stableJson } from "./diff-context.js";

type Interval = { lo: number; hi: number; loOpen: boolean; hiOpen: boolean };
const INF = Number.POSITIVE_INFINITY;
const iv = (lo: number, hi: number, loOpen: boolean, hiOpen: boolean): Interval => ({
  lo,
  hi,
  loOpen,
  hiOpen,
});

/** The measured values a rule accepts, as intervals; undefined when the rule is not a numeric bound. */
function acceptedSet(rule: ContractRule): Interval[] | undefined {
  const v = rule.value;
  if (Array.isArray(v)) {
    const [a, b] = v;
    if (rule.operator === "mustBeBetween") return [iv(a, b, false, false)];
    if (rule.operator === "mustNotBeBetween") return [iv(-INF, a, true, true), iv(b, INF, true, true)];
    return undefined;
  }
  if (typeof v !== "number") return undefined;
  switch (rule.operator) {
    case "mustBe":
      return [iv(v, v, false, false)];
    case "mustNotBe":
      return [iv(-INF, v, true, true), iv(v, INF, true, true)];
    case "mustBeGreaterThan":
      return [iv(v, INF, true, true)];
    case "mustBeGreaterOrEqualTo":
      return [iv(v, INF, false, true)];
    case "mustBeLessThan":
      return [iv(-INF, v, true, true)];
    case "mustBeLessOrEqualTo":
      return [iv(-INF, v, true, false)];
    default:
      return undefined;
  }
}

function within(inner: Interval, outer: Interval): boolean {
  const loOk = outer.lo < inner.lo || (outer.lo === inner.lo && (!outer.loOpen || inner.loOpen));
  const hiOk = outer.hi > inner.hi || (outer.hi === inner.hi && (!outer.hiOpen || inner.hiOpen));
  return loOk && hiOk;
}

const subset = (a: Interval[], b: Interval[]) => a.every((x) => b.some((y) => within(x, y)));

export type RuleComparison = "same" | "tightened" | "loosened" | "changed";

/** Compares two versions of a rule by the set of measurements each accepts. */
export function compareRules(before: ContractRule, after: ContractRule): RuleComparison {
  const argsSame = stableJson(before.arguments ?? {}) === stableJson(after.arguments ?? {});
  if (before.metric !== after.metric || !argsSame) return "changed";
  const a = acceptedSet(before);
  const b = acceptedSet(after);
  let bounds: RuleComparison;
  if (a && b) {
    const narrower = subset(b, a);
    const wider = subset(a, b);
    bounds = narrower && wider ? "same" : narrower ? "tightened" : wider ? "loosened" : "changed";
  } else {
    bounds =
      before.operator === after.operator && stableJson(before.value) === stableJson(after.value)
        ? "same"
        : "changed";
  }
  if (bounds !== "same") return bounds;
  return compareSeverity(before.severity, after.severity);
}

const SEVERITY_RANK: Record<string, number> = { info: 0, warning: 1, warn: 1, error: 2 };

/** A rule downgraded from error to warning no longer stops bad data, so consumers lose a guarantee. */
function compareSeverity(before: string | undefined, after: string | undefined): RuleComparison {
  const a = SEVERITY_RANK[(before ?? "error").toLowerCase()];
  const b = SEVERITY_RANK[(after ?? "error").toLowerCase()];
  if (a === undefined || b === undefined) return before === after ? "same" : "changed";
  return a === b ? "same" : b > a ? "tightened" : "loosened";
}

function ruleKeys(
  rules: readonly ContractRule[],
  renames?: ReadonlyMap<string, string>,
): Map<string, ContractRule> {
  const keyed = new Map<string, ContractRule>();
  for (const rule of rules) {
    const column = (rule.column ?? "").toLowerCase();
    const base = rule.id ? `id:${rule.id}` : `${renames?.get(column) ?? column}|${rule.metric}`;
    let key = base;
    for (let n = 2; keyed.has(key); n++) key = `${base}#${n}`;
    keyed.set(key, rule);
  }
  return keyed;
}

export function describeRule(rule: ContractRule): string {
  const value = Array.isArray(rule.value) ? `[${rule.value.join(", ")}]` : String(rule.value);
  const target = rule.column ? ` on ${rule.column}` : "";
  const severity = rule.severity ? ` (${rule.severity})` : "";
  return `${rule.id ? `${rule.id}: ` : ""}${rule.metric}${target} ${rule.operator} ${value}${severity}`.trim();
}

/** What the column diff already reported, so rules of a dropped or renamed column add no noise. */
export type ColumnFate = { dropped: ReadonlySet<string>; renames: ReadonlyMap<string, string> };

/** Rule-level changes of one dataset; rules are matched by id, else by column (renames followed) and metric. */
export function diffRules(
  before: readonly ContractRule[],
  after: readonly ContractRule[],
  ctx: DiffContext,
  fate: ColumnFate = { dropped: new Set(), renames: new Map() },
): ContractChange[] {
  const a = ruleKeys(before, fate.renames);
  const b = ruleKeys(after);
  const changes: ContractChange[] = [];
  for (const [key, rule] of a) {
    const next = b.get(key);
    const common = { ...ctx, column: rule.column };
    if (!next) {
      if (fate.dropped.has((rule.column ?? "").toLowerCase())) continue;
      changes.push(
        makeChange("rule_removed", {
          ...common,
          before: describeRule(rule),
          message: `quality rule ${describeRule(rule)} was removed`,
          line: rule.line,
        }),
      );
      continue;
    }
    const verdict = compareRules(rule, next);
    if (verdict === "same") continue;
    const kind =
      verdict === "tightened" ? "rule_tightened" : verdict === "loosened" ? "rule_loosened" : "rule_changed";
    changes.push(
      makeChange(kind, {
        ...common,
        before: describeRule(rule),
        after: describeRule(next),
        message: `quality rule ${rule.id ?? rule.metric} ${verdict}: ${describeRule(rule)} → ${describeRule(next)}`,
        line: next.line,
      }),
    );
  }
  for (const [key, rule] of b) {
    if (a.has(key)) continue;
    changes.push(
      makeChange("rule_added", {
        ...ctx,
        column: rule.column,
        after: describeRule(rule),
        message: `quality rule ${describeRule(rule)} was added`,
        line: rule.line,
      }),
    );
  }
  return changes;
}
