/** Runtime values of the Jinja subset Backflow renders. Python-like semantics, JavaScript representation. */

/** A name that was never defined. Renders as "", is falsy; calling it is an unknown macro. */
export class Undefined {
  constructor(readonly name: string) {}
}

/** A value Backflow cannot compute (a relation, a warehouse result, …): renders as `text`, exposes `attrs`. */
export class Opaque {
  constructor(
    readonly text: string,
    readonly attrs: Readonly<Record<string, Value>> = {},
  ) {}
}

/** A module-like object (`dbt_utils`, `adapter`, `target`): known members in `attrs`, others are unknown macros. */
export class Namespace {
  constructor(
    readonly name: string,
    readonly attrs: Readonly<Record<string, Value>>,
  ) {}
}

/** A Python dict. Keys are strings (Jinja templates in dbt almost never key by anything else). */
export class Dict {
  readonly map: Map<string, Value>;
  constructor(entries: Iterable<readonly [string, Value]> = []) {
    this.map = new Map(entries);
  }
}

export type CallArgs = {
  readonly args: readonly Value[];
  readonly kwargs: ReadonlyMap<string, Value>;
  /** Source line of the call, for diagnostics and recorded refs. */
  readonly line: number;
};

/** A function, macro or namespace. Attribute access reads `attrs`. */
export class Callable {
  constructor(
    readonly name: string,
    readonly fn: (call: CallArgs) => Value,
    readonly attrs: Readonly<Record<string, Value>> = {},
  ) {}
}

export type Value =
  | string
  | number
  | boolean
  | null
  | Undefined
  | Opaque
  | Namespace
  | Dict
  | Callable
  | Value[];

/** A Jinja runtime error (wrong types, calling a non-function). Reported as a warning; the tag renders as "". */
export class JinjaRuntimeError extends Error {
  override readonly name = "JinjaRuntimeError";
}

/** Strings and lists past this size are a runaway template, not SQL; evaluation stops with a warning. */
export const MAX_VALUE_LENGTH = 1_000_000;

/** Returns `value`, or throws JinjaRuntimeError when it grew past MAX_VALUE_LENGTH. */
export function limited<T extends string | Value[]>(value: T): T {
  if (value.length > MAX_VALUE_LENGTH)
    throw new JinjaRuntimeError("the value grew too large (a runaway loop?)");
  return value;
}

/** Python truthiness; values Backflow cannot compute count as true so their branch is kept. */
export function isTruthy(value: Value): boolean {
  if (value === null || value instanceof Undefined) return false;
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Dict) return value.map.size > 0;
  return true;
}

/** How `{{ value }}` prints: strings as they are, other values as Python would print them. */
export function toText(value: Value): string {
  if (typeof value === "string") return value;
  if (value instanceof Undefined) return "";
  if (value instanceof Opaque) return value.text;
  return repr(value);
}

/**
 * Python tuples (`('a', 'b')`): lists that print with parentheses, so `not in {{ codes }}` renders SQL.
 * Operations that build a new list (`list(t)`, `t + [x]`) give lists, as in Python.
 */
export const TUPLES: WeakSet<readonly Value[]> = new WeakSet();

/** Python `repr`, used for lists and dicts printed into SQL. */
export function repr(value: Value): string {
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null) return "None";
  if (value instanceof Undefined) return "";
  if (value instanceof Opaque) return value.text;
  if (value instanceof Callable) return `<macro ${value.name}>`;
  if (value instanceof Namespace) return `<module ${value.name}>`;
  if (Array.isArray(value) && TUPLES.has(value))
    return `(${value.map(repr).join(", ")}${value.length === 1 ? "," : ""})`;
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`;
  return `{${[...value.map].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  return String(n);
}

/** Items of an iterable value: lists, dict keys, string characters; anything else iterates as empty. */
export function toItems(value: Value): Value[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Dict) return [...value.map.keys()];
  if (typeof value === "string") return [...value];
  return [];
}

/** Python `==` for the values we have. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a instanceof Undefined || b instanceof Undefined)
    return a instanceof Undefined && b instanceof Undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i] ?? null));
  }
  if (a instanceof Dict && b instanceof Dict) {
    if (a.map.size !== b.map.size) return false;
    for (const [k, v] of a.map) if (!b.map.has(k) || !valuesEqual(v, b.map.get(k) ?? null)) return false;
    return true;
  }
  if (a instanceof Opaque && b instanceof Opaque) return a.text === b.text;
  return a === b;
}

/** Converts JSON-like data (parsed YAML vars) into Jinja values. */
export function fromPlain(data: unknown, depth = 0): Value {
  if (depth > 50) return null;
  if (data === null || data === undefined) return null;
  if (typeof data === "string" || typeof data === "number" || typeof data === "boolean") return data;
  if (Array.isArray(data)) return data.map((item) => fromPlain(item, depth + 1));
  if (data instanceof Date) return Number.isNaN(data.getTime()) ? null : data.toISOString().slice(0, 10);
  if (typeof data === "object") {
    return new Dict(Object.entries(data).map(([k, v]) => [k, fromPlain(v, depth + 1)] as const));
  }
  return null;
}

/** Converts a Jinja value back into plain data (for recorded config kwargs). */
export function toPlain(value: Value, depth = 0): unknown {
  if (depth > 50) return null;
  if (value instanceof Undefined) return undefined;
  if (value instanceof Opaque) return value.text;
  if (value instanceof Callable) return `<macro ${value.name}>`;
  if (value instanceof Namespace) return `<module ${value.name}>`;
  if (Array.isArray(value)) return value.map((item) => toPlain(item, depth + 1));
  if (value instanceof Dict) {
    return Object.fromEntries([...value.map].map(([k, v]) => [k, toPlain(v, depth + 1)]));
  }
  return value;
}
