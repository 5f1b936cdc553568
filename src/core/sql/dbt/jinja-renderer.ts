/** Executes parsed Jinja nodes into output pieces, recording refs, sources, config and diagnostics. */
import { isMacroName } from "../ast-nodes.js";
import type { Piece } from "./assemble-output.js";
import { buildGlobals, type DbtRecorder, MacroReturn, placeholderName } from "./dbt-globals.js";
import { callValue, type EvalEnv, type EvalHost, evaluate, Scope } from "./evaluate-expression.js";
import {
  type CallArgs,
  Callable,
  Dict,
  isTruthy,
  JinjaRuntimeError,
  Namespace,
  Opaque,
  toItems,
  toText,
  Undefined,
  type Value,
} from "./jinja-values.js";
import { LibraryScope } from "./library-scope.js";
import { MacroLibrary, type MacroNode } from "./macro-library.js";
import type { Expr } from "./parse-expression.js";
import type { MacroParam, Target, TemplateNode } from "./parse-template.js";
import type { JinjaContext, JinjaDiagnostic, RenderedSql } from "./render-jinja.js";

const MAX_MACRO_DEPTH = 40;
/** A project macro whose output is longer than this degrades to a placeholder (runaway loops). */
const MAX_PROJECT_MACRO_CHARS = 1_000_000;
/**
 * The work one render may do, in steps: every node rendered, loop iteration, call, filter, test and
 * operator counts one, plus the size of the lists (one per item) and strings (one per 16 characters)
 * they produce, and `range()` its length before it is built. Deterministic (a count, not a clock), so a
 * cached result never depends on how busy the machine was; about a second of work at most.
 */
export const MAX_RENDER_STEPS = 1_000_000;
/** Output beyond this many characters stops the render (memory). */
export const MAX_OUTPUT_CHARS = 20_000_000;
const MAX_LOOP_ITEMS = 10_000;
/** Words that are date parts, not columns, when guessing the columns of an unknown macro call. */
const DATE_PARTS = new Set([
  "year",
  "quarter",
  "month",
  "week",
  "day",
  "hour",
  "minute",
  "second",
  "millisecond",
]);
/** Keyword argument names whose string values are column names (`column=`, `field_list=`, `cols=`). */
const COLUMN_KEYWORD = /col|field/i;
const COLUMN_LIKE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

class RenderBudgetExceeded extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** One render of one file. Not reusable. */
export class JinjaRenderer implements EvalHost, DbtRecorder {
  readonly refs: RenderedSql["refs"] = [];
  readonly sources: RenderedSql["sources"] = [];
  readonly config: Record<string, unknown> = {};
  private readonly diagnostics: JinjaDiagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly root: Scope;
  private readonly library: MacroLibrary;
  private project: Scope | undefined;
  private macroDepth = 0;
  private steps = 0;
  private outputChars = 0;
  /** Evaluation failures so far; a project macro whose render adds one degrades to a placeholder. */
  private failures = 0;
  /** Calls to unknown macros so far, to tell which `{% if %}` conditions depend on one. */
  private unknownCalls = 0;
  /** `{% for %}` loops over an unknown macro's result (rendered as no items). */
  unknownLoops = 0;
  /** Calls too deep; unlike other failures these degrade every enclosing project macro, not only the innermost. */
  private tooDeep = 0;
  /** Diagnostics raised while a project macro renders, re-reported at its call line once it returns. */
  private captured: JinjaDiagnostic[] | null = null;

  constructor(readonly ctx: JinjaContext) {
    this.root = new Scope();
    for (const [name, value] of Object.entries(buildGlobals(this))) this.root.set(name, value);
    this.library =
      ctx.macros ?? (ctx.macroSources ? MacroLibrary.fromSources(ctx.macroSources) : MacroLibrary.EMPTY);
  }

  report(line: number, severity: JinjaDiagnostic["severity"], message: string): void {
    if (this.captured) {
      this.captured.push({ line, severity, message });
      return;
    }
    const key = `${line}\u0000${severity}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push({ line, severity, message });
  }

  warn(line: number, message: string): void {
    this.report(line, "warning", message);
  }

  /** A warning for something that could not be evaluated (it makes an enclosing project macro degrade). */
  fail(line: number, message: string): void {
    this.failures++;
    this.warn(line, message);
  }

  /** The project macro `name` as a callable, for `adapter.dispatch`; undefined when the project lacks it. */
  projectMacro(name: string): Callable | undefined {
    const node = this.library.lookup(name);
    return node ? this.projectCallable(node, this.projectScope()) : undefined;
  }

  sortedDiagnostics(): JinjaDiagnostic[] {
    return [...this.diagnostics].sort((a, b) => a.line - b.line);
  }

  /**
   * An unknown macro renders as `__backflow_macro_<name>__`; when every string argument looks like a column
   * (`a`, `t.a`; date parts ignored) it renders as `__backflow_macro_<name>__(a, t.a)` so column lineage survives.
   */
  unknownMacro(name: string, call: CallArgs): Value {
    const placeholder = placeholderOf(name, call);
    this.unknownCalls++;
    this.warn(
      call.line,
      `unknown macro "${name}" at line ${call.line}: rendered as the placeholder ${placeholder}`,
    );
    return new Opaque(placeholder);
  }

  incomplete(line: number, message: string): void {
    this.unknownLoops++;
    this.warn(line, message);
  }

  unknownSize(line: number, what: string): void {
    this.incomplete(
      line,
      `the length of ${what.replace(/\(.*$/s, "")} at line ${line} is known only to the warehouse: what the template builds from it may lack columns, so the model's columns are unknown beyond those it shows`,
    );
  }

  /** Renders the top-level nodes; macros defined anywhere at the top level are callable from the start. */
  render(nodes: readonly TemplateNode[]): Piece[] {
    const scope = new Scope(this.projectScope());
    for (const node of nodes) if (node.type === "macro") scope.set(node.name, this.macro(node, scope));
    const out: Piece[] = [];
    try {
      this.renderNodes(nodes, scope, out);
    } catch (error) {
      if (!(error instanceof RenderBudgetExceeded)) throw error;
      this.captured = null;
      this.report(error.line, "error", `${error.reason}; the SQL after this point is missing`);
    }
    return out;
  }

  /** Counts `units` steps of work at `line`; past the budget the whole render stops with a diagnostic. */
  charge(units: number, line: number): void {
    this.steps += units;
    if (this.steps > MAX_RENDER_STEPS) {
      throw new RenderBudgetExceeded(
        line,
        `rendering stopped after ${MAX_RENDER_STEPS} steps at line ${line} (a loop, range() or macro does too much work)`,
      );
    }
  }

  /**
   * Project macros live between the dbt globals and the file, so a file's own macro of the same name wins;
   * they are looked up on first use, and also reachable as `<project name>.<macro>`.
   */
  private projectScope(): Scope {
    if (this.project) return this.project;
    const scope: Scope = new LibraryScope(this.root, {
      library: this.library,
      namespace: this.ctx.projectName,
      callable: (node) => this.projectCallable(node, scope),
    });
    this.project = scope;
    return scope;
  }

  /**
   * A project macro renders like a file's own, but if its render fails (an expression that cannot be
   * evaluated, a compiler error, too deep, too long) it degrades to a placeholder like an unknown macro.
   * What it reports is re-reported at the line of the call, the only line the user's file has.
   */
  private projectCallable(node: MacroNode, definedIn: Scope): Callable {
    return new Callable(node.name, (call) => {
      const outer = this.captured;
      const before = this.failures;
      const deepBefore = this.tooDeep;
      const captured: JinjaDiagnostic[] = [];
      this.captured = captured;
      let value: Value;
      try {
        value = this.macro(node, definedIn).fn(call);
      } finally {
        this.captured = outer;
      }
      const tooLong = toText(value).length > MAX_PROJECT_MACRO_CHARS;
      if (this.failures > before || this.tooDeep > deepBefore || tooLong) {
        this.failures = before;
        const reason = tooLong
          ? "its output is too long"
          : (captured.find((d) => d.severity === "error") ?? captured.at(-1))?.message;
        const placeholder = placeholderOf(node.name, call);
        this.warn(
          call.line,
          `macro "${node.name}" at line ${call.line} could not be rendered (${reason ?? "unknown reason"}): rendered as the placeholder ${placeholder}`,
        );
        return new Opaque(placeholder);
      }
      for (const d of captured) {
        const where = d.message.includes('(in macro "') ? "" : ` (in macro "${node.name}")`;
        this.report(call.line, d.severity, `${d.message}${where}`);
      }
      return value;
    });
  }

  private renderNodes(nodes: readonly TemplateNode[], scope: Scope, out: Piece[]): void {
    for (const node of nodes) {
      this.charge(1, node.line);
      this.renderNode(node, scope, out);
    }
  }

  private renderNode(node: TemplateNode, scope: Scope, out: Piece[]): void {
    switch (node.type) {
      case "text":
        this.emit(out, { text: node.text, line: node.line, multiline: true });
        return;
      case "output":
        this.emit(out, {
          text: this.outputText(node.expr, this.tryEvaluate(node.expr, scope, node.line), node.line),
          line: node.line,
          multiline: false,
        });
        return;
      case "if": {
        const branch = node.branches.find((b) => b.cond === null || this.holds(b.cond, scope, node.line));
        if (branch) this.renderNodes(branch.body, scope, out);
        return;
      }
      case "for":
        this.renderFor(node, scope, out);
        return;
      case "set":
        this.assign(node.targets, this.tryEvaluate(node.expr, scope, node.line), scope);
        return;
      case "setBlock":
        this.assign([node.target], this.capture(node.body, scope), scope);
        return;
      case "macro":
        scope.set(node.name, this.macro(node, scope));
        return;
      case "call":
        this.renderCall(node, scope, out);
        return;
      case "do":
        this.tryEvaluate(node.expr, scope, node.line);
        return;
      case "block":
        this.renderNodes(node.body, scope, out);
        return;
    }
  }

  /** Whether an `{% if %}` condition holds; see `JinjaContext.unknownConditions`. */
  private holds(cond: Expr, scope: Scope, line: number): boolean {
    const before = this.unknownCalls;
    const truth = isTruthy(this.tryEvaluate(cond, scope, line));
    return this.ctx.unknownConditions === "flip" && this.unknownCalls > before ? !truth : truth;
  }

  /**
   * What `{{ expr }}` prints. In a plain SQL file an undefined name is a parameter the scheduler fills
   * in (`{{ ds }}`), so it prints as a placeholder identifier rather than vanishing from the SQL.
   */
  private outputText(expr: Expr, value: Value, line: number): string {
    const named = expr.t === "name" || expr.t === "attr";
    if (this.ctx.mode !== "plain" || !(value instanceof Undefined) || !named || value.name === "") {
      return toText(value);
    }
    const placeholder = placeholderName(value.name);
    this.warn(
      line,
      `unknown name "${value.name}" at line ${line}: rendered as the placeholder ${placeholder}`,
    );
    return placeholder;
  }

  /** Evaluates an expression; runtime errors become warnings and an Undefined value. */
  private tryEvaluate(expr: Expr, scope: Scope, line: number): Value {
    try {
      return evaluate(expr, this.env(scope));
    } catch (error) {
      if (error instanceof MacroReturn && this.macroDepth > 0) throw error;
      if (error instanceof RenderBudgetExceeded) throw error;
      if (error instanceof MacroReturn) return error.value;
      const reason =
        error instanceof JinjaRuntimeError ? error.message : "the expression could not be evaluated";
      this.fail(line, `Jinja at line ${line} failed: ${reason}; it rendered as nothing`);
      return new Undefined("");
    }
  }

  private env(scope: Scope): EvalEnv {
    return { scope, host: this };
  }

  private capture(body: readonly TemplateNode[], scope: Scope): string {
    const out: Piece[] = [];
    this.renderNodes(body, scope, out);
    return out.map((p) => p.text).join("");
  }

  private assign(targets: readonly Target[], value: Value, scope: Scope): void {
    const values = targets.length === 1 ? [value] : toItems(value);
    targets.forEach((target, i) => {
      // `{% set x = none %}` holds none; only a missing item (unpacking too few) is undefined.
      const item = i < values.length ? (values[i] as Value) : new Undefined(target.name);
      if (target.attr === undefined) {
        scope.set(target.name, item);
        return;
      }
      const holder = scope.get(target.name);
      if (holder instanceof Dict) holder.map.set(target.attr, item);
    });
  }

  private renderFor(node: Extract<TemplateNode, { type: "for" }>, scope: Scope, out: Piece[]): void {
    const iterated = this.tryEvaluate(node.iter, scope, node.line);
    if (iterated instanceof Opaque && isMacroName(iterated.text)) {
      // `{% for col in adapter.get_columns_in_relation(...) %}`: the items exist only in the warehouse, so
      // the loop renders nothing here, and whatever it would have added (select items, columns) is missing.
      this.unknownLoops++;
      this.warn(
        node.line,
        `the loop at line ${node.line} iterates ${iterated.text.replace(/\(.*$/s, "")}, whose items Backflow cannot know without the warehouse: what it renders is missing, so the columns it would build are unknown`,
      );
    }
    let items = toItems(iterated);
    if (items.length > MAX_LOOP_ITEMS) {
      this.warn(
        node.line,
        `the loop at line ${node.line} has ${items.length} items; only ${MAX_LOOP_ITEMS} were rendered`,
      );
      items = items.slice(0, MAX_LOOP_ITEMS);
    }
    if (node.filter) {
      const filter = node.filter;
      items = items.filter((item) => {
        this.charge(1, node.line);
        const inner = new Scope(scope);
        this.assign(node.targets, item, inner);
        return isTruthy(this.tryEvaluate(filter, inner, node.line));
      });
    }
    if (items.length === 0) {
      this.renderNodes(node.elseBody, scope, out);
      return;
    }
    items.forEach((item, index) => {
      // An iteration costs a step even when its body is empty.
      this.charge(1, node.line);
      const inner = new Scope(scope);
      inner.set("loop", loopValue(index, items));
      this.assign(node.targets, item, inner);
      this.renderNodes(node.body, inner, out);
    });
  }

  private renderCall(node: Extract<TemplateNode, { type: "call" }>, scope: Scope, out: Piece[]): void {
    const caller = new Callable("caller", (call) => {
      const inner = new Scope(scope);
      bindParams(node.params, call, inner, this.env(inner));
      return this.capture(node.body, inner);
    });
    const expr = node.call;
    let value: Value;
    if (expr.t === "call") {
      const env = this.env(scope);
      const fn = this.tryEvaluate(expr.fn, scope, node.line);
      const args = expr.args.map((a) => this.tryEvaluate(a, scope, node.line));
      const kwargs = new Map(
        expr.kwargs.map(([k, v]) => [k, this.tryEvaluate(v, scope, node.line)] as const),
      );
      kwargs.set("caller", caller);
      value = this.guard(() => callValue(fn, { args, kwargs, line: node.line }, env.host), node.line);
    } else {
      this.warn(node.line, `"{% call %}" at line ${node.line} does not call a macro; its body was dropped`);
      value = "";
    }
    this.emit(out, { text: toText(value), line: node.line, multiline: false });
  }

  private emit(out: Piece[], piece: Piece): void {
    if (piece.text.length === 0) return;
    this.outputChars += piece.text.length;
    if (this.outputChars > MAX_OUTPUT_CHARS) {
      throw new RenderBudgetExceeded(
        piece.line,
        `rendering stopped at line ${piece.line} after ${MAX_OUTPUT_CHARS} characters of output (a very large loop?)`,
      );
    }
    out.push(piece);
  }

  private guard(run: () => Value, line: number): Value {
    try {
      return run();
    } catch (error) {
      if (error instanceof MacroReturn || error instanceof RenderBudgetExceeded) throw error;
      const reason = error instanceof JinjaRuntimeError ? error.message : "the call could not be evaluated";
      this.fail(line, `Jinja at line ${line} failed: ${reason}; it rendered as nothing`);
      return "";
    }
  }

  /** A macro defined in the file: a callable that renders its body in a new scope. */
  private macro(node: MacroNode, definedIn: Scope): Callable {
    return new Callable(node.name, (call) => {
      if (this.macroDepth >= MAX_MACRO_DEPTH) {
        this.tooDeep++;
        this.report(call.line, "error", `macro "${node.name}" calls itself too deeply (line ${call.line})`);
        return "";
      }
      const scope = new Scope(definedIn);
      bindParams(node.params, call, scope, this.env(scope));
      this.macroDepth++;
      try {
        return this.capture(node.body, scope);
      } catch (error) {
        if (error instanceof MacroReturn) return error.value;
        throw error;
      } finally {
        this.macroDepth--;
      }
    });
  }
}

/** Binds call arguments to macro parameters, Jinja style: extras go to `varargs` / `kwargs`, plus `caller`. */
function bindParams(params: readonly MacroParam[], call: CallArgs, scope: Scope, env: EvalEnv): void {
  params.forEach((param, i) => {
    const given = call.args[i] ?? call.kwargs.get(param.name);
    const value = given ?? (param.default ? evaluate(param.default, env) : new Undefined(param.name));
    scope.set(param.name, value);
  });
  const names = new Set(params.map((p) => p.name));
  scope.set("varargs", call.args.slice(params.length));
  scope.set("kwargs", new Dict([...call.kwargs].filter(([k]) => !names.has(k) && k !== "caller")));
  const caller = call.kwargs.get("caller");
  if (caller) scope.set("caller", caller);
}

function loopValue(index: number, items: readonly Value[]): Namespace {
  const length = items.length;
  return new Namespace("loop", {
    index: index + 1,
    index0: index,
    revindex: length - index,
    revindex0: length - index - 1,
    first: index === 0,
    last: index === length - 1,
    length,
    previtem: index > 0 ? (items[index - 1] ?? null) : new Undefined("previtem"),
    nextitem: index < length - 1 ? (items[index + 1] ?? null) : new Undefined("nextitem"),
  });
}

/** `__backflow_macro_<name>__`, or `__backflow_macro_<name>__(a, t.a)` when every string argument looks like a column. */
function placeholderOf(name: string, call: CallArgs): string {
  const id = placeholderName(name);
  const columns = columnArguments(call);
  return columns.length > 0 ? `${id}(${columns.join(", ")})` : id;
}

/**
 * The string arguments of a call when all of them look like column names; otherwise none. Keyword
 * arguments count only when their name says column or field: `agg='max'` or `prefix='has_'` are options,
 * and reading them as columns invented sources the table does not have.
 */
function columnArguments(call: CallArgs): string[] {
  const named = [...call.kwargs.entries()].filter(([key]) => COLUMN_KEYWORD.test(key)).map(([, v]) => v);
  const flat = [...call.args, ...named].flatMap((v) => (Array.isArray(v) ? v : [v]));
  const strings = flat.filter((v): v is string => typeof v === "string");
  const columns = strings.filter((s) => !DATE_PARTS.has(s.toLowerCase()));
  return columns.length > 0 && columns.every((s) => COLUMN_LIKE.test(s)) ? columns : [];
}
