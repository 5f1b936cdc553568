/** Evaluates parsed Jinja expressions against a scope. Type errors throw JinjaRuntimeError; the renderer degrades them. */
import { applyFilter, applyTest } from "./jinja-filters.js";
import { getAttribute, getItem, sliceValue } from "./jinja-methods.js";
import {
  type CallArgs,
  Callable,
  Dict,
  isTruthy,
  JinjaRuntimeError,
  limited,
  MAX_VALUE_LENGTH,
  Namespace,
  Opaque,
  TUPLES,
  toItems,
  toText,
  Undefined,
  type Value,
  valuesEqual,
} from "./jinja-values.js";
import type { Expr } from "./parse-expression.js";

/** What evaluation needs from the renderer: warnings, and how to degrade a call to an unknown macro. */
export type EvalHost = {
  warn(line: number, message: string): void;
  unknownMacro(name: string, call: CallArgs): Value;
  /**
   * `x | length` of a value only the warehouse knows (`adapter.get_columns_in_relation(...)`): whatever the
   * template does with the size may leave columns out, like a loop over it (see `unknownLoops`).
   */
  unknownSize?(line: number, what: string): void;
  /** Counts work against the render's budget; throws (stopping the render) once it is spent. */
  charge(units: number, line: number): void;
};

/** What producing `value` costs: one step, plus one per list item or per 16 characters of text. */
function costOf(value: Value): number {
  if (Array.isArray(value)) return 1 + value.length;
  if (typeof value === "string") return 1 + (value.length >> 4);
  return 1;
}

/** Returns `value` after charging what it cost to produce. */
function charged(value: Value, line: number, host: EvalHost): Value {
  host.charge(costOf(value), line);
  return value;
}

/** Variables visible to an expression; loops and macros open a child scope, as Jinja does. */
export class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(readonly parent: Scope | null = null) {}
  get(name: string): Value | undefined {
    return this.vars.has(name) ? this.vars.get(name) : this.parent?.get(name);
  }
  set(name: string, value: Value): void {
    this.vars.set(name, value);
  }
}

export type EvalEnv = { readonly scope: Scope; readonly host: EvalHost };

/** Evaluates `expr`. */
export function evaluate(expr: Expr, env: EvalEnv): Value {
  switch (expr.t) {
    case "lit":
      return expr.value;
    case "name": {
      const value = env.scope.get(expr.name);
      return value === undefined ? new Undefined(expr.name) : value;
    }
    case "list": {
      const items = expr.items.map((item) => evaluate(item, env));
      if (expr.tuple) TUPLES.add(items);
      return items;
    }
    case "dict":
      return new Dict(expr.entries.map(([k, v]) => [toText(evaluate(k, env)), evaluate(v, env)] as const));
    case "attr":
      return getAttribute(evaluate(expr.obj, env), expr.name);
    case "index":
      return getItem(evaluate(expr.obj, env), evaluate(expr.index, env));
    case "slice":
      return sliceValue(
        evaluate(expr.obj, env),
        expr.start ? evaluate(expr.start, env) : null,
        expr.stop ? evaluate(expr.stop, env) : null,
      );
    case "call":
      return charged(
        callValue(evaluate(expr.fn, env), evaluateArgs(expr, env), env.host),
        expr.line,
        env.host,
      );
    case "filter": {
      const value = applyFilter(expr.name, evaluate(expr.value, env), evaluateArgs(expr, env), env.host);
      return charged(value, expr.line, env.host);
    }
    case "test": {
      const result = applyTest(expr.name, evaluate(expr.value, env), evaluateArgs(expr, env), env.host);
      env.host.charge(1, expr.line);
      return expr.negate ? !result : result;
    }
    case "bin":
      return charged(evaluateBinary(expr.op, expr.left, expr.right, env), expr.line, env.host);
    case "unary":
      return evaluateUnary(expr.op, evaluate(expr.value, env));
    case "cond":
      if (isTruthy(evaluate(expr.cond, env))) return evaluate(expr.whenTrue, env);
      return expr.else ? evaluate(expr.else, env) : new Undefined("");
  }
}

function evaluateArgs(
  expr: { args: Expr[]; kwargs: Array<readonly [string, Expr]>; line: number },
  env: EvalEnv,
): CallArgs {
  return {
    args: expr.args.map((arg) => evaluate(arg, env)),
    kwargs: new Map(expr.kwargs.map(([k, v]) => [k, evaluate(v, env)] as const)),
    line: expr.line,
  };
}

/** Calls a function value; calling something unknown degrades through the host. */
export function callValue(fn: Value, call: CallArgs, host: EvalHost): Value {
  if (fn instanceof Callable) return fn.fn(call);
  if (fn instanceof Undefined) return host.unknownMacro(fn.name || "unknown", call);
  if (fn instanceof Namespace) return host.unknownMacro(fn.name, call);
  if (fn instanceof Opaque) return host.unknownMacro(fn.text || "unknown", call);
  throw new JinjaRuntimeError(
    `${typeof fn === "string" ? `"${fn}"` : "this value"} is not a macro and cannot be called`,
  );
}

function evaluateBinary(op: string, leftExpr: Expr, rightExpr: Expr, env: EvalEnv): Value {
  const left = evaluate(leftExpr, env);
  if (op === "and") return isTruthy(left) ? evaluate(rightExpr, env) : left;
  if (op === "or") return isTruthy(left) ? left : evaluate(rightExpr, env);
  const right = evaluate(rightExpr, env);
  switch (op) {
    case "~":
      return limited(toText(left) + toText(right));
    case "==":
      return valuesEqual(left, right);
    case "!=":
      return !valuesEqual(left, right);
    case "in":
      return contains(right, left);
    case "not in":
      return !contains(right, left);
    case "<":
    case ">":
    case "<=":
    case ">=":
      return compare(op, left, right);
    default:
      return arithmetic(op, left, right);
  }
}

function contains(container: Value, item: Value): boolean {
  if (typeof container === "string") return container.includes(toText(item));
  if (container instanceof Dict) return container.map.has(toText(item));
  return toItems(container).some((candidate) => valuesEqual(candidate, item));
}

function compare(op: string, left: Value, right: Value): boolean {
  const bothNumbers = typeof left === "number" && typeof right === "number";
  const bothStrings = typeof left === "string" && typeof right === "string";
  if (!bothNumbers && !bothStrings) throw new JinjaRuntimeError(`cannot compare these values with "${op}"`);
  if (op === "<") return left < right;
  if (op === ">") return left > right;
  if (op === "<=") return left <= right;
  return left >= right;
}

function arithmetic(op: string, left: Value, right: Value): Value {
  if (op === "+" && Array.isArray(left) && Array.isArray(right)) return limited([...left, ...right]);
  if (op === "+" && isStringLike(left) && isStringLike(right)) return limited(toText(left) + toText(right));
  if (op === "%" && typeof left === "string") return percentFormat(left, right);
  if (op === "*" && typeof left === "string" && typeof right === "number") {
    const times = Math.max(0, Math.min(Math.floor(right), MAX_VALUE_LENGTH));
    if (left.length * times > MAX_VALUE_LENGTH) throw new JinjaRuntimeError("the value grew too large");
    return left.repeat(times);
  }
  const a = toNumber(left);
  const b = toNumber(right);
  if (a === null || b === null) throw new JinjaRuntimeError(`cannot apply "${op}" to these values`);
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) throw new JinjaRuntimeError("division by zero");
      return a / b;
    case "//":
      if (b === 0) throw new JinjaRuntimeError("division by zero");
      return Math.floor(a / b);
    case "%":
      if (b === 0) throw new JinjaRuntimeError("division by zero");
      return ((a % b) + b) % b;
    default:
      return a ** b;
  }
}

/** Python's `"%s and %s" % (a, b)`; every conversion prints the value as `%s` would. */
function percentFormat(format: string, values: Value): string {
  const items = Array.isArray(values) ? values : [values];
  let next = 0;
  return format.replace(/%[-+ #0]*[0-9]*(?:\.[0-9]+)?([sdifr%])/g, (match, kind: string) => {
    if (kind === "%") return "%";
    const value = items[next++];
    return value === undefined ? match : toText(value);
  });
}

function evaluateUnary(op: "not" | "-" | "+", value: Value): Value {
  if (op === "not") return !isTruthy(value);
  const n = toNumber(value);
  if (n === null) throw new JinjaRuntimeError(`cannot apply unary "${op}" to this value`);
  return op === "-" ? -n : n;
}

function isStringLike(value: Value): boolean {
  return typeof value === "string" || value instanceof Opaque;
}

function toNumber(value: Value): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return null;
}
