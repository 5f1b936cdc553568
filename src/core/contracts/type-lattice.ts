/**
 * A small lattice of SQL types, enough to tell a widening (every old value still fits) from a narrowing
 * (some old values no longer fit) and from a change between unrelated domains (unknown).
 */
export type TypeComparison = "same" | "widened" | "narrowed" | "unknown";

type ParsedType =
  | { family: "int"; bits: number }
  | { family: "decimal"; intDigits: number; scale: number }
  | { family: "float"; mantissa: number }
  | { family: "string"; length: number }
  | { family: "temporal"; rank: 1 | 2; zone: boolean }
  | { family: "other"; name: string };

const INT_BITS: Record<string, number> = {
  tinyint: 8,
  int1: 8,
  byteint: 8,
  smallint: 16,
  int2: 16,
  int: 32,
  integer: 32,
  int4: 32,
  mediumint: 32,
  bigint: 64,
  int8: 64,
  int64: 64,
  long: 64,
  hugeint: 128,
};
const FLOAT_MANTISSA: Record<string, number> = {
  real: 24,
  float4: 24,
  float32: 24,
  float: 53,
  float8: 53,
  float64: 53,
  double: 53,
  "double precision": 53,
};
const DECIMALS = new Set(["numeric", "decimal", "number", "bignumeric", "bigdecimal", "dec"]);
const STRINGS = new Set([
  "varchar",
  "character varying",
  "nvarchar",
  "varchar2",
  "text",
  "string",
  "clob",
  "char",
  "character",
  "nchar",
  "bpchar",
]);
const TEMPORAL: Record<string, { rank: 1 | 2; zone: boolean }> = {
  date: { rank: 1, zone: false },
  timestamp: { rank: 2, zone: false },
  datetime: { rank: 2, zone: false },
  timestamp_ntz: { rank: 2, zone: false },
  "timestamp without time zone": { rank: 2, zone: false },
  timestamptz: { rank: 2, zone: true },
  timestamp_tz: { rank: 2, zone: true },
  timestamp_ltz: { rank: 2, zone: true },
  "timestamp with time zone": { rank: 2, zone: true },
};
const ALIASES: Record<string, string> = { bool: "boolean", jsonb: "json" };
const INT_DIGITS = (bits: number) => Math.ceil(bits * Math.log10(2));

/** Lower-cases and collapses spacing so `VARCHAR (20)` and `varchar(20)` compare equal. */
export function normalizeType(type: string): string {
  return type
    .trim()
    .toLowerCase()
    .replace(/["`]/g, "")
    .replace(/\s+/g, " ")
    .replace(/\s*([(),])\s*/g, "$1")
    .replace(/,/g, ", ");
}

function parseType(type: string): ParsedType {
  const text = normalizeType(type);
  const match = /^([a-z_][a-z0-9_ ]*?)(?:\(([^)]*)\))?( with(?:out)? time zone)?$/.exec(text);
  if (!match) return { family: "other", name: text };
  const name = `${match[1] ?? ""}${match[3] ?? ""}`;
  const params = (match[2] ?? "")
    .split(",")
    .map((p) => Number.parseInt(p, 10))
    .filter((n) => Number.isFinite(n));
  if (name in INT_BITS) return { family: "int", bits: INT_BITS[name] ?? 32 };
  if (name in FLOAT_MANTISSA) return { family: "float", mantissa: FLOAT_MANTISSA[name] ?? 53 };
  if (DECIMALS.has(name)) {
    // An unparameterized numeric is unbounded in Postgres, the dialect Backflow assumes by default.
    if (params[0] === undefined)
      return { family: "decimal", intDigits: Number.POSITIVE_INFINITY, scale: Number.POSITIVE_INFINITY };
    const scale = params[1] ?? 0;
    return { family: "decimal", intDigits: params[0] - scale, scale };
  }
  if (STRINGS.has(name)) {
    const fixed = name.startsWith("char") || name === "nchar" || name === "bpchar";
    return { family: "string", length: params[0] ?? (fixed ? 1 : Number.POSITIVE_INFINITY) };
  }
  const temporal = TEMPORAL[name];
  if (temporal) return { family: "temporal", ...temporal };
  return { family: "other", name: ALIASES[name] ?? name };
}

function integerDigits(t: ParsedType): number | undefined {
  if (t.family === "int") return INT_DIGITS(t.bits);
  if (t.family === "decimal") return t.intDigits;
  return undefined;
}

function order(fits: boolean, equal: boolean): TypeComparison {
  if (equal) return "same";
  return fits ? "widened" : "narrowed";
}

/** Compares two types as written in contracts or SQL (physical types, or ODCS logical types). */
export function compareTypes(before: string, after: string): TypeComparison {
  if (normalizeType(before) === normalizeType(after)) return "same";
  const a = parseType(before);
  const b = parseType(after);
  if (a.family === "int" && b.family === "int") return order(b.bits >= a.bits, a.bits === b.bits);
  if (a.family === "float" && b.family === "float")
    return order(b.mantissa >= a.mantissa, a.mantissa === b.mantissa);
  if (a.family === "string" && b.family === "string")
    return order(b.length >= a.length, a.length === b.length);
  if (a.family === "decimal" && b.family === "decimal") {
    const fits = b.scale >= a.scale && b.intDigits >= a.intDigits;
    return order(fits, a.intDigits === b.intDigits && a.scale === b.scale);
  }
  if ((a.family === "int" || a.family === "decimal") && (b.family === "int" || b.family === "decimal")) {
    const scaleFits = b.family === "int" ? a.family === "int" || a.scale === 0 : true;
    return order(scaleFits && (integerDigits(b) ?? 0) >= (integerDigits(a) ?? 0), false);
  }
  if (a.family === "int" && b.family === "float") return order(a.bits <= b.mantissa, false);
  if (
    (a.family === "float" || a.family === "decimal") &&
    (b.family === "int" || b.family === "float" || b.family === "decimal")
  ) {
    return "narrowed";
  }
  if (a.family === "temporal" && b.family === "temporal") {
    if (a.zone !== b.zone && a.rank === 2 && b.rank === 2) return "unknown";
    return order(b.rank >= a.rank, a.rank === b.rank && a.zone === b.zone);
  }
  if (a.family === "other" && b.family === "other" && a.name === b.name) return "same";
  return "unknown";
}

/** The ODCS logical type of a physical type (integer, number, string, date, timestamp, boolean, …). */
export function logicalTypeOf(physical: string): string | undefined {
  const t = parseType(physical);
  switch (t.family) {
    case "int":
      return "integer";
    case "decimal":
      return t.scale === 0 ? "integer" : "number";
    case "float":
      return "number";
    case "string":
      return "string";
    case "temporal":
      return t.rank === 1 ? "date" : "timestamp";
    default:
      return ["boolean", "time", "json", "array", "object"].includes(t.name)
        ? t.name === "json"
          ? "object"
          : t.name
        : undefined;
  }
}
