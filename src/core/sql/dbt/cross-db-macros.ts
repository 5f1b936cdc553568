/**
 * dbt's cross-database macros and the dbt_utils macros that shape columns, rendered as portable SQL
 * so column lineage survives (e.g. a surrogate key keeps its source columns).
 */
import { type CallArgs, Callable, Opaque, toItems, toText, Undefined, type Value } from "./jinja-values.js";

/** Reads named parameters from positional and keyword arguments, as Python binds them. */
export function bindArgs(call: CallArgs, names: readonly string[]): Array<Value | undefined> {
  // A positional `none` is bound as none (`var('x', none)` has a default), not as a missing argument.
  return names.map((name, i) => (i < call.args.length ? call.args[i] : call.kwargs.get(name)));
}

const text = (value: Value | undefined, fallback = ""): string =>
  value === undefined || value instanceof Undefined ? fallback : toText(value);

/** Fields given as a list (`['a', 'b']`) or as separate arguments (`'a', 'b'`). */
function fieldList(call: CallArgs, key: string): string[] {
  const first = call.args[0] ?? call.kwargs.get(key);
  const values = Array.isArray(first) ? first : call.args;
  return values.map((v) => toText(v)).filter((v) => v.length > 0);
}

function surrogateKey(call: CallArgs): Value {
  const fields = fieldList(call, "field_list");
  if (fields.length === 0) return "md5('')";
  return `md5(${fields.map((f) => `cast(${f} as varchar)`).join(" || '-' || ")})`;
}

type MacroBody = (call: CallArgs) => Value;

/**
 * `date_spine(datepart, start_date, end_date)`: one row per `datepart` between the bounds, in a column
 * `date_<datepart>` (cast to date, as dbt's macro does). The generated series is not lineage; the column is
 * computed from the two bound expressions, so it reads whatever they read (often nothing: literals).
 */
function dateSpine(call: CallArgs): Value {
  const [part, start, end] = bindArgs(call, ["datepart", "start_date", "end_date"]);
  const datepart = text(part, "day").replace(/[^A-Za-z0-9_]/g, "") || "day";
  return `select cast(least(spine_bounds.start_date, spine_bounds.end_date) as date) as date_${datepart} from (select ${text(start, "null")} as start_date, ${text(end, "null")} as end_date) as spine_bounds`;
}

/** Macros of the `dbt` namespace (also reachable bare and through `dbt_utils` for older projects). */
const CROSS_DB: Record<string, MacroBody> = {
  date_spine: dateSpine,
  date_trunc: (c) => {
    const [part, date] = bindArgs(c, ["datepart", "date"]);
    return `date_trunc('${text(part, "day")}', ${text(date)})`;
  },
  dateadd: (c) => {
    const [part, interval, from] = bindArgs(c, ["datepart", "interval", "from_date_or_timestamp"]);
    return `dateadd('${text(part, "day")}', ${text(interval, "0")}, ${text(from)})`;
  },
  datediff: (c) => {
    const [first, second, part] = bindArgs(c, ["first_date", "second_date", "datepart"]);
    return `datediff('${text(part, "day")}', ${text(first)}, ${text(second)})`;
  },
  safe_cast: (c) => {
    const [field, type] = bindArgs(c, ["field", "type"]);
    return `cast(${text(field)} as ${text(type, "varchar")})`;
  },
  cast: (c) => {
    const [field, type] = bindArgs(c, ["field", "type"]);
    return `cast(${text(field)} as ${text(type, "varchar")})`;
  },
  concat: (c) => `concat(${fieldList(c, "fields").join(", ")})`,
  hash: (c) => `md5(cast(${text(bindArgs(c, ["field"])[0])} as varchar))`,
  any_value: (c) => `any_value(${text(bindArgs(c, ["expression"])[0])})`,
  bool_or: (c) => `bool_or(${text(bindArgs(c, ["expression"])[0])})`,
  length: (c) => `length(${text(bindArgs(c, ["expression"])[0])})`,
  listagg: (c) => {
    const [measure, delimiter] = bindArgs(c, ["measure", "delimiter_text"]);
    return `string_agg(${text(measure)}, ${text(delimiter, "','")})`;
  },
  split_part: (c) => {
    const [value, delimiter, part] = bindArgs(c, ["string_text", "delimiter_text", "part_number"]);
    return `split_part(${text(value)}, ${text(delimiter)}, ${text(part, "1")})`;
  },
  replace: (c) => {
    const [field, oldChars, newChars] = bindArgs(c, ["field", "old_chars", "new_chars"]);
    return `replace(${text(field)}, ${text(oldChars)}, ${text(newChars)})`;
  },
  position: (c) => {
    const [needle, haystack] = bindArgs(c, ["substring_text", "string_text"]);
    return `position(${text(needle)} in ${text(haystack)})`;
  },
  right: (c) => {
    const [value, length] = bindArgs(c, ["string_text", "length_expression"]);
    return `right(${text(value)}, ${text(length, "1")})`;
  },
  safe_divide: (c) => {
    const [numerator, denominator] = bindArgs(c, ["numerator", "denominator"]);
    return `(${text(numerator)}) / nullif((${text(denominator)}), 0)`;
  },
  string_literal: (c) => `'${text(bindArgs(c, ["value"])[0]).replace(/'/g, "''")}'`,
  escape_single_quotes: (c) => text(bindArgs(c, ["expression"])[0]).replace(/'/g, "''"),
  current_timestamp: () => "current_timestamp",
  current_timestamp_backcompat: () => "current_timestamp",
  current_timestamp_in_utc_backcompat: () => "current_timestamp",
  type_string: () => "varchar",
  type_timestamp: () => "timestamp",
  type_float: () => "float",
  type_numeric: () => "numeric",
  type_bigint: () => "bigint",
  type_int: () => "integer",
  type_boolean: () => "boolean",
};

/** dbt_utils macros that only exist there. */
const DBT_UTILS: Record<string, MacroBody> = {
  /** `group_by(n=3)` → `group by 1,2,3`. */
  group_by: (c) => {
    const n = Number(text(bindArgs(c, ["n"])[0], "0"));
    const count = Number.isInteger(n) && n > 0 ? Math.min(n, 1000) : 0;
    return count === 0 ? "" : `group by ${Array.from({ length: count }, (_, i) => i + 1).join(",")}`;
  },
  generate_surrogate_key: surrogateKey,
  surrogate_key: surrogateKey,
  /** Without the warehouse the column list is unknown; `*` (or `alias.*`) keeps table lineage. */
  star: (c) => {
    const [, alias] = bindArgs(c, ["from", "relation_alias"]);
    return alias === undefined || alias === null || alias instanceof Undefined ? "*" : `${toText(alias)}.*`;
  },
};

/** Names whose dbt_utils.star arguments cannot be honoured without the warehouse. */
export function starLimitations(call: CallArgs): string[] {
  const [, , except, prefix, suffix] = bindArgs(call, [
    "from",
    "relation_alias",
    "except",
    "prefix",
    "suffix",
  ]);
  const limits: string[] = [];
  if (except !== undefined && toItems(except).length > 0) limits.push("except");
  if (prefix !== undefined && text(prefix) !== "") limits.push("prefix");
  if (suffix !== undefined && text(suffix) !== "") limits.push("suffix");
  return limits;
}

function toCallables(prefix: string, table: Record<string, MacroBody>): Record<string, Value> {
  return Object.fromEntries(
    Object.entries(table).map(([name, body]) => [name, new Callable(`${prefix}${name}`, body)]),
  );
}

/** Cross-database macros as bare globals (`{{ date_trunc(...) }}`); built once, they hold no state. */
export const CROSS_DB_GLOBALS: Readonly<Record<string, Value>> = toCallables("", CROSS_DB);

/** Members of the `dbt` namespace. */
export const DBT_MACROS: Readonly<Record<string, Value>> = toCallables("dbt.", CROSS_DB);

/** Members of the `dbt_utils` namespace: its own macros plus the cross-database ones it used to carry. */
export const DBT_UTILS_MACROS: Readonly<Record<string, Value>> = {
  ...toCallables("dbt_utils.", CROSS_DB),
  ...toCallables("dbt_utils.", DBT_UTILS),
};

/** A relation value (what `ref`, `source` and `this` return): prints as `sql`, has dbt's relation attributes. */
export function relationValue(
  sql: string,
  parts: { database?: string; schema?: string; identifier: string },
): Opaque {
  const identifier = parts.identifier;
  const attrs: Record<string, Value> = {
    name: identifier,
    identifier,
    table: identifier,
    schema: parts.schema ?? new Undefined("schema"),
    database: parts.database ?? new Undefined("database"),
    render: new Callable("render", () => sql),
  };
  const relation = new Opaque(sql, attrs);
  // Methods that return a variant of the relation keep printing the same table.
  for (const method of ["include", "quote", "incorporate", "replace_path"]) {
    attrs[method] = new Callable(method, () => relation);
  }
  return relation;
}
