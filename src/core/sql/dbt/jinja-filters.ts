import { isMacroName } from "../ast-nodes.js";
/** Jinja filters (`value | name(args)`) and tests (`value is name`) used in dbt models. */
import type { EvalHost } from "./evaluate-expression.js";
import { getAttribute } from "./jinja-methods.js";
import {
  type CallArgs,
  Callable,
  Dict,
  isTruthy,
  Namespace,
  Opaque,
  repr,
  toItems,
  toText,
  Undefined,
  type Value,
  valuesEqual,
} from "./jinja-values.js";

type Filter = (value: Value, call: CallArgs, host: EvalHost) => Value;

const first = (call: CallArgs, key: string): Value | undefined => call.args[0] ?? call.kwargs.get(key);

const FILTERS: Record<string, Filter> = {
  lower: (v) => toText(v).toLowerCase(),
  upper: (v) => toText(v).toUpperCase(),
  trim: (v) => toText(v).trim(),
  capitalize: (v) => {
    const text = toText(v);
    return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
  },
  title: (v) =>
    toText(v)
      .toLowerCase()
      .replace(/\b[a-z]/g, (m) => m.toUpperCase()),
  string: (v) => toText(v),
  int: (v, c) => toNumber(v, first(c, "default") ?? 0, Math.trunc),
  float: (v, c) => toNumber(v, first(c, "default") ?? 0, (n) => n),
  abs: (v) => (typeof v === "number" ? Math.abs(v) : v),
  round: (v, c) => {
    const digits = first(c, "precision");
    const scale = 10 ** (typeof digits === "number" ? digits : 0);
    return typeof v === "number" ? Math.round(v * scale) / scale : v;
  },
  length: (v) => (v instanceof Dict ? v.map.size : toItems(v).length),
  count: (v) => (v instanceof Dict ? v.map.size : toItems(v).length),
  first: (v) => toItems(v)[0] ?? new Undefined(""),
  last: (v) => toItems(v).at(-1) ?? new Undefined(""),
  list: (v) => [...toItems(v)],
  reverse: (v) => (typeof v === "string" ? [...v].reverse().join("") : [...toItems(v)].reverse()),
  sort: (v) => [...toItems(v)].sort((a, b) => (toText(a) < toText(b) ? -1 : toText(a) > toText(b) ? 1 : 0)),
  unique: (v) => toItems(v).filter((item, i, all) => all.findIndex((o) => valuesEqual(o, item)) === i),
  join: (v, c) => {
    const attribute = c.kwargs.get("attribute");
    const items = toItems(v).map((item) =>
      attribute === undefined ? item : getAttribute(item, toText(attribute)),
    );
    return items.map(toText).join(toText(first(c, "d") ?? ""));
  },
  default: (v, c) => {
    const fallback = first(c, "default_value") ?? "";
    const boolean = isTruthy(c.args[1] ?? c.kwargs.get("boolean") ?? false);
    return v instanceof Undefined || (boolean && !isTruthy(v)) ? fallback : v;
  },
  replace: (v, c) => {
    const text = toText(v);
    return text.split(toText(c.args[0] ?? "")).join(toText(c.args[1] ?? ""));
  },
  map: (v, c) => {
    const attribute = c.kwargs.get("attribute");
    if (attribute !== undefined) return toItems(v).map((item) => getAttribute(item, toText(attribute)));
    const name = toText(c.args[0] ?? "");
    const rest: CallArgs = { args: c.args.slice(1), kwargs: new Map(), line: c.line };
    return toItems(v).map((item) => applyFilter(name, item, rest, NO_WARNINGS));
  },
  tojson: (v) => JSON.stringify(toJson(v)),
  // dbt's native-type filters (`var('enabled', false) | as_bool`): a string is read as the literal it spells.
  as_bool: (v) => (typeof v === "string" ? /^\s*true\s*$/i.test(v) : isTruthy(v)),
  as_number: (v) => (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v),
  as_text: (v) => toText(v),
  as_native: (v) => v,
  safe: (v) => v,
  e: (v) => v,
  escape: (v) => v,
  indent: (v) => v,
};
FILTERS.d = FILTERS.default as Filter;

const NO_WARNINGS: EvalHost = {
  warn: () => undefined,
  unknownMacro: (name) => new Opaque(name),
  // The mapped list is charged as a whole by the expression that applied `map`.
  charge: () => undefined,
};

/** Applies the filter `name`; an unknown filter passes the value through with a warning. */
export function applyFilter(name: string, value: Value, call: CallArgs, host: EvalHost): Value {
  const filter = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
  if ((name === "length" || name === "count") && value instanceof Opaque && isMacroName(value.text)) {
    host.unknownSize?.(call.line, value.text);
  }
  if (filter) return filter(value, call, host);
  host.warn(
    call.line,
    `unsupported Jinja filter "${name}" at line ${call.line}: the value was used unfiltered`,
  );
  return value;
}

type Test = (value: Value, call: CallArgs) => boolean;

const TESTS: Record<string, Test> = {
  defined: (v) => !(v instanceof Undefined),
  undefined: (v) => v instanceof Undefined,
  none: (v) => v === null,
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  integer: (v) => typeof v === "number" && Number.isInteger(v),
  float: (v) => typeof v === "number" && !Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  true: (v) => v === true,
  false: (v) => v === false,
  mapping: (v) => v instanceof Dict,
  sequence: (v) => Array.isArray(v) || typeof v === "string",
  iterable: (v) => Array.isArray(v) || typeof v === "string" || v instanceof Dict,
  callable: (v) => v instanceof Callable,
  lower: (v) => typeof v === "string" && v === v.toLowerCase(),
  upper: (v) => typeof v === "string" && v === v.toUpperCase(),
  odd: (v) => typeof v === "number" && Math.abs(v % 2) === 1,
  even: (v) => typeof v === "number" && v % 2 === 0,
  divisibleby: (v, c) => typeof v === "number" && typeof c.args[0] === "number" && v % c.args[0] === 0,
  eq: (v, c) => valuesEqual(v, c.args[0] ?? null),
  ne: (v, c) => !valuesEqual(v, c.args[0] ?? null),
  in: (v, c) => toItems(c.args[0] ?? []).some((item) => valuesEqual(item, v)),
};
TESTS.equalto = TESTS.eq as Test;
TESTS.sameas = TESTS.eq as Test;

/** Applies the test `name`; an unknown test is false with a warning. */
export function applyTest(name: string, value: Value, call: CallArgs, host: EvalHost): boolean {
  const test = Object.hasOwn(TESTS, name) ? TESTS[name] : undefined;
  if (test) return test(value, call);
  host.warn(call.line, `unsupported Jinja test "is ${name}" at line ${call.line}: treated as false`);
  return false;
}

function toNumber(value: Value, fallback: Value, round: (n: number) => number): Value {
  if (typeof value === "number") return round(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  const parsed = Number(toText(value).trim());
  return toText(value).trim() !== "" && Number.isFinite(parsed) ? round(parsed) : fallback;
}

function toJson(value: Value): unknown {
  if (value instanceof Undefined) return null;
  if (value instanceof Opaque || value instanceof Callable || value instanceof Namespace) return repr(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Dict) return Object.fromEntries([...value.map].map(([k, v]) => [k, toJson(v)]));
  return value;
}
