/** The dbt context a model sees: ref, source, config, var, is_incremental, this, target, env_var, adapter, … */
import { isMacroName } from "../ast-nodes.js";
import {
  bindArgs,
  CROSS_DB_GLOBALS,
  DBT_MACROS,
  DBT_UTILS_MACROS,
  relationValue,
  starLimitations,
} from "./cross-db-macros.js";
import { getColumnsInRelation, getRelation, graphValue, loadRelation } from "./graph-context.js";
import {
  type CallArgs,
  Callable,
  Dict,
  fromPlain,
  JinjaRuntimeError,
  Namespace,
  Opaque,
  toItems,
  toPlain,
  toText,
  Undefined,
  type Value,
} from "./jinja-values.js";
import type { JinjaContext, RenderedSql } from "./render-jinja.js";

/** Thrown by `return(x)` inside a macro; the macro call catches it and yields `x`. */
export class MacroReturn {
  constructor(readonly value: Value) {}
}

/** Where the dbt built-ins record what the model references and configures. */
export type DbtRecorder = {
  readonly ctx: JinjaContext;
  readonly refs: RenderedSql["refs"];
  readonly sources: RenderedSql["sources"];
  readonly config: Record<string, unknown>;
  warn(line: number, message: string): void;
  /** A warning for something that cannot be evaluated without the warehouse. */
  fail(line: number, message: string): void;
  unknownMacro(name: string, call: CallArgs): Value;
  /** What the template renders from here on may lack columns (see `RenderedSql.unknownLoops`). */
  incomplete(line: number, message: string): void;
  /** The project's own macro of that name, if any. */
  projectMacro(name: string): Callable | undefined;
  /** Counts work against the render's budget; throws (stopping the render) once it is spent. */
  charge(units: number, line: number): void;
};

/** A placeholder identifier for a value Backflow cannot know, e.g. `__backflow_macro_var_start_date__`. */
export function placeholderName(name: string): string {
  return `__backflow_macro_${name.replace(/[^A-Za-z0-9_]/g, "_")}__`;
}

const fn = (name: string, body: (call: CallArgs) => Value, attrs: Record<string, Value> = {}): Callable =>
  new Callable(name, body, attrs);

/** Builds the global variables of a dbt model. */
export function buildDbtGlobals(rec: DbtRecorder): Record<string, Value> {
  const target = rec.ctx.target ?? {};
  const schema = target.schema ?? "public";
  const database = target.database ?? "dev";
  const thisName = rec.ctx.thisRelation;
  return {
    ref: fn("ref", (c) => refMacro(rec, c)),
    source: fn("source", (c) => sourceMacro(rec, c)),
    config: configMacro(rec),
    var: fn("var", (c) => varMacro(rec, c)),
    env_var: fn("env_var", (c) => envVarMacro(rec, c)),
    is_incremental: fn("is_incremental", () => rec.ctx.isIncremental),
    should_full_refresh: fn("should_full_refresh", () => false),
    this: relationValue(thisName, { identifier: thisName.split(".").at(-1) ?? thisName, schema, database }),
    target: new Namespace("target", {
      name: target.name ?? "dev",
      type: target.type ?? "postgres",
      schema,
      database,
      threads: 1,
      profile_name: "backflow",
    }),
    execute: rec.ctx.execute ?? false,
    flags: new Namespace("flags", { FULL_REFRESH: false, WHICH: "compile" }),
    // Its result is an unknown value (loops over it are unknown), not `none`, which would take the
    // "no rows" branch of the template as if the warehouse had answered.
    run_query: fn("run_query", (c) => {
      degrade(rec, c, "run_query needs the warehouse; nothing was run");
      return new Opaque(placeholderName("run_query"));
    }),
    log: fn("log", () => ""),
    print: fn("print", () => ""),
    return: fn("return", (c) => {
      throw new MacroReturn(c.args[0] ?? null);
    }),
    exceptions: new Namespace("exceptions", {
      raise_compiler_error: fn("raise_compiler_error", (c) =>
        degrade(rec, c, `raise_compiler_error: ${text(c)}`),
      ),
      warn: fn("warn", () => ""),
    }),
    adapter: new Namespace("adapter", {
      dispatch: fn("adapter.dispatch", (c) => dispatchMacro(rec, c)),
      quote: fn("adapter.quote", (c) => `"${text(c)}"`),
      ...(rec.ctx.graph
        ? {
            get_relation: getRelation(rec),
            load_relation: loadRelation(rec, "adapter.load_relation"),
            get_columns_in_relation: getColumnsInRelation(rec),
          }
        : {}),
    }),
    ...(rec.ctx.graph
      ? { graph: graphValue(rec.ctx), load_relation: loadRelation(rec, "load_relation") }
      : {}),
    // Type names are not lineage: `api.Column.translate_type('date')` keeps the name it is given.
    api: new Namespace("api", {
      Column: new Namespace("api.Column", {
        translate_type: fn("api.Column.translate_type", (c) => toText(bindArgs(c, ["dtype"])[0] ?? "")),
      }),
    }),
    dbt: DBT_NAMESPACE,
    dbt_utils: new Namespace("dbt_utils", {
      ...DBT_UTILS_MACROS,
      star: starMacro(rec),
      union_relations: unionRelationsMacro(rec),
    }),
    ...CROSS_DB_GLOBALS,
    ...PYTHON_BUILTINS,
    range: rangeMacro(rec),
  };
}

/** The globals a plain SQL file (no dbt project) sees: none that needs a project, a warehouse or dbt. */
const PLAIN_GLOBALS: ReadonlySet<string> = new Set([
  "var",
  "env_var",
  "is_incremental",
  "should_full_refresh",
  "log",
  "print",
  "return",
  "range",
]);

/** The globals of `rec.ctx.mode`: every dbt global, or only the harmless ones for a plain SQL file. */
export function buildGlobals(rec: DbtRecorder): Record<string, Value> {
  const all = buildDbtGlobals(rec);
  if (rec.ctx.mode !== "plain") return all;
  return Object.fromEntries(
    Object.entries(all).filter(([name]) => PLAIN_GLOBALS.has(name) || Object.hasOwn(PYTHON_BUILTINS, name)),
  );
}

const text = (c: CallArgs): string => toText(c.args[0] ?? "");

function degrade(rec: DbtRecorder, call: CallArgs, message: string): Value {
  rec.fail(call.line, `${message} (line ${call.line})`);
  return null;
}

function strings(call: CallArgs): string[] | null {
  const values = call.args.filter((v) => !(v instanceof Undefined));
  return values.every((v) => typeof v === "string") ? (values as string[]) : null;
}

function refMacro(rec: DbtRecorder, call: CallArgs): Value {
  const args = strings(call);
  if (!args || args.length < 1 || args.length > 2) return rec.unknownMacro("ref", call);
  const [pkg, name] = args.length === 2 ? [args[0], args[1] ?? ""] : [undefined, args[0] ?? ""];
  rec.refs.push(pkg ? { name, pkg, line: call.line } : { name, line: call.line });
  return relationValue(rec.ctx.ref(name, pkg), { identifier: name });
}

function sourceMacro(rec: DbtRecorder, call: CallArgs): Value {
  const args = strings(call);
  if (args?.length !== 2) return rec.unknownMacro("source", call);
  const [sourceName = "", tableName = ""] = args;
  rec.sources.push({ sourceName, tableName, line: call.line });
  return relationValue(rec.ctx.source(sourceName, tableName), { identifier: tableName, schema: sourceName });
}

function configMacro(rec: DbtRecorder): Callable {
  const record = (call: CallArgs): Value => {
    const positional = call.args[0];
    if (positional instanceof Dict) for (const [k, v] of positional.map) rec.config[k] = toPlain(v);
    for (const [k, v] of call.kwargs) if (!(v instanceof Undefined)) rec.config[k] = toPlain(v);
    return "";
  };
  const get = (call: CallArgs): Value => {
    const [key, fallback] = bindArgs(call, ["name", "default"]);
    const name = toText(key ?? "");
    return Object.hasOwn(rec.config, name) ? fromPlain(rec.config[name]) : (fallback ?? null);
  };
  return fn("config", record, { get: fn("config.get", get), require: fn("config.require", get) });
}

function varMacro(rec: DbtRecorder, call: CallArgs): Value {
  const [key, fallback] = bindArgs(call, ["name", "default"]);
  const name = toText(key ?? "");
  if (Object.hasOwn(rec.ctx.vars, name)) return fromPlain(rec.ctx.vars[name]);
  if (fallback !== undefined) return fallback;
  const where = rec.ctx.mode === "plain" ? "" : " in dbt_project.yml";
  rec.warn(
    call.line,
    `var("${name}") at line ${call.line} has no value${where} and no default: rendered as a placeholder`,
  );
  return new Opaque(placeholderName(`var_${name}`));
}

function envVarMacro(rec: DbtRecorder, call: CallArgs): Value {
  const [key, fallback] = bindArgs(call, ["name", "default"]);
  if (fallback !== undefined) return fallback;
  const name = toText(key ?? "");
  rec.warn(call.line, `env_var("${name}") at line ${call.line} has no default: rendered as a placeholder`);
  return new Opaque(placeholderName(`env_var_${name}`));
}

/** Adapters whose dispatch falls back to another adapter's implementation before `default__`. */
const ADAPTER_PARENTS: Readonly<Record<string, string>> = { redshift: "postgres" };

/**
 * `adapter.dispatch('name', 'pkg')` returns a macro: the project's `<adapter>__name` or `default__name`
 * when it has one, else a known cross-database macro, else a placeholder.
 */
function dispatchMacro(rec: DbtRecorder, call: CallArgs): Value {
  const [macro] = bindArgs(call, ["macro_name"]);
  const name = toText(macro ?? "dispatch");
  const adapter = rec.ctx.target?.type ?? "postgres";
  const parent = ADAPTER_PARENTS[adapter];
  const candidates = [adapter, ...(parent ? [parent] : []), "default"].map((a) => `${a}__${name}`);
  for (const candidate of candidates) {
    const own = rec.projectMacro(candidate);
    if (own) return own;
  }
  const known = CROSS_DB_GLOBALS[name];
  if (known instanceof Callable) return known;
  return fn(name, (inner) => rec.unknownMacro(name, inner));
}

function starMacro(rec: DbtRecorder): Callable {
  const star = DBT_UTILS_MACROS.star;
  return fn("dbt_utils.star", (call) => {
    const limits = starLimitations(call);
    if (limits.length > 0) {
      rec.warn(
        call.line,
        `dbt_utils.star at line ${call.line}: ${limits.join(", ")} cannot be applied without the warehouse; all columns are assumed`,
      );
    }
    return star instanceof Callable ? star.fn(call) : "*";
  });
}

/**
 * `dbt_utils.union_relations(relations=[...])` over relations the template names (`ref`, `source`): a union
 * by name of `*` from each, with the `_dbt_source_relation` constant first, as dbt_utils builds it from
 * the warehouse's columns. `exclude` becomes `* EXCLUDE (…)`, `where` a filter on each branch. The columns
 * are matched by name when linking, so they are known exactly when every relation's are. An `include` list
 * or a relation that is not a plain relation (an unknown macro's result) stays unknown.
 */
function unionRelationsMacro(rec: DbtRecorder): Callable {
  const name = "dbt_utils.union_relations";
  return fn(name, (call) => {
    const [relations, exclude, , include, sourceColumn, where] = bindArgs(call, [
      "relations",
      "exclude",
      "column_override",
      "include",
      "source_column_name",
      "where",
    ]);
    const given = (v: Value | undefined) => v !== undefined && v !== null && !(v instanceof Undefined);
    const rels = Array.isArray(relations) ? relations : [];
    const plain = rels.every((r) => r instanceof Opaque && !isMacroName(r.text));
    if (rels.length === 0 || !plain || (given(include) && toItems(include as Value).length > 0))
      return rec.unknownMacro(name, call);
    const excluded = given(exclude) ? toItems(exclude as Value).map((v) => toText(v).toLowerCase()) : [];
    const column =
      sourceColumn === undefined
        ? "_dbt_source_relation"
        : given(sourceColumn)
          ? toText(sourceColumn as Value)
          : null;
    const filter = given(where) ? ` where ${toText(where as Value)}` : "";
    const star = excluded.length > 0 ? `* exclude (${excluded.join(", ")})` : "*";
    return rels
      .map((r) => {
        const text = (r as Opaque).text;
        const label = column ? `'${text.replace(/'/g, "''")}' as ${column}, ` : "";
        return `select ${label}${star} from ${text}${filter}`;
      })
      .join(" union all by name ");
  });
}

/**
 * Python's `range`. Its length is charged to the render's budget before the list is built, so
 * `range(1000000000)` stops the render with a diagnostic instead of being cut short silently.
 */
function rangeMacro(rec: DbtRecorder): Callable {
  return fn("range", (c) => {
    const nums = c.args.map((v) => (typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0));
    const [start, stop, step] =
      nums.length === 1 ? [0, nums[0] ?? 0, 1] : [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 1];
    if (step === 0) throw new JinjaRuntimeError("range() step must not be zero");
    const length = Math.max(0, Math.ceil((stop - start) / step));
    rec.charge(length, c.line);
    return Array.from({ length }, (_, i) => start + i * step);
  });
}

/** Python and Jinja built-ins; built once, they hold no state. */
const PYTHON_BUILTINS: Readonly<Record<string, Value>> = {
  dict: fn("dict", (c) => {
    const base = c.args[0] instanceof Dict ? [...c.args[0].map] : [];
    return new Dict([...base, ...c.kwargs]);
  }),
  namespace: fn("namespace", (c) => new Dict(c.kwargs)),
  zip: fn("zip", (c) => {
    const lists = c.args.map(toItems);
    const length = Math.min(...lists.map((l) => l.length), lists.length ? Number.POSITIVE_INFINITY : 0);
    return Array.from({ length }, (_, i) => lists.map((l) => l[i] ?? null));
  }),
  list: fn("list", (c) => [...toItems(c.args[0] ?? [])]),
  set: fn("set", (c) => toItems(c.args[0] ?? []).filter((v, i, all) => all.indexOf(v) === i)),
  tojson: fn("tojson", (c) => JSON.stringify(toPlain(c.args[0] ?? null)) ?? "null"),
  fromjson: fn("fromjson", (c) => {
    try {
      return fromPlain(JSON.parse(toText(c.args[0] ?? "")));
    } catch {
      return c.args[1] ?? null;
    }
  }),
};

const DBT_NAMESPACE = new Namespace("dbt", DBT_MACROS);
