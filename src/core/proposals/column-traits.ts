import type { ContractColumn } from "../contracts/contract.js";

export type ValueType = "numeric" | "text" | "boolean" | "temporal" | "unknown";

const NUMERIC_TYPES = /^(integer|int|bigint|smallint|number|numeric|decimal|float|double|real|long|money)/i;
const TEXT_TYPES = /^(string|text|varchar|char|character)/i;
const TEMPORAL_TYPES = /^(date|timestamp|time|datetime)/i;

/** The value type of a column from its contract, else from its expression, else from its name. */
export function valueTypeOf(input: {
  name: string;
  expression?: string;
  contract?: ContractColumn;
}): ValueType {
  const declared = input.contract?.type ?? input.contract?.physicalType;
  if (declared) {
    if (NUMERIC_TYPES.test(declared)) return "numeric";
    if (TEXT_TYPES.test(declared)) return "text";
    if (/^bool/i.test(declared)) return "boolean";
    if (TEMPORAL_TYPES.test(declared)) return "temporal";
  }
  const expr = (input.expression ?? "").toLowerCase();
  if (/^\s*(sum|count|avg|min|max)\s*\(/.test(expr) && !/^\s*(min|max)\s*\(/.test(expr)) return "numeric";
  if (/\bas\s+(numeric|decimal|int|integer|bigint|float|double|number)\b/.test(expr)) return "numeric";
  if (/\bas\s+(date|timestamp)/.test(expr)) return "temporal";
  if (/^\s*(lower|upper|trim|concat|initcap|replace)\s*\(|\|\|/.test(expr)) return "text";
  const name = input.name.toLowerCase();
  if (/^(is|has)_/.test(name)) return "boolean";
  if (/(_at|_date|^date|_ts|_time)$/.test(name)) return "temporal";
  if (
    /(amount|count|total|price|qty|quantity|revenue|cost|balance|value|sum|cents|number_of_\w+|^num_\w+|_rate|_pct|ltv)$/.test(
      name,
    )
  )
    return "numeric";
  if (/(name|status|type|category|segment|email|code|label|description|country|city|channel)$/.test(name))
    return "text";
  return "unknown";
}

/** Whether a column identifies rows (a key): declared so in the contract, or named like one. */
export function isKeyColumn(name: string, contract?: ContractColumn): boolean {
  if (contract?.primaryKey || contract?.unique) return true;
  return /^(id|uuid|key|pk)$|_(id|key|uuid|pk|sk)$/i.test(name);
}

/** The default a coalesce fills nulls with, as SQL text, and why; undefined when no default is safe. */
export function defaultFor(type: ValueType): { sql: string; why: string } | undefined {
  if (type === "numeric") return { sql: "0", why: "a missing measure counts as zero" };
  if (type === "text") return { sql: "'unknown'", why: "a missing label reads as 'unknown' instead of null" };
  if (type === "boolean") return { sql: "false", why: "a missing flag counts as false" };
  return undefined;
}

/** The column that tells the newest row of a duplicate group, preferring `updated_at`-like names. */
export function recencyColumn(columns: readonly string[]): string | undefined {
  const lower = columns.map((c) => c.toLowerCase());
  const patterns = [
    /^updated_at$/,
    /(updated|modified|loaded|ingested|synced|changed)_?(at|ts|time|timestamp|on)$/,
    /_at$/,
  ];
  for (const pattern of patterns) {
    const found = lower.find((c) => pattern.test(c));
    if (found) return found;
  }
  return undefined;
}

/** SQL literal of a contract value (numbers bare, text quoted with '' escaping). */
export function sqlLiteral(value: string | number): string {
  if (typeof value === "number" || /^-?\d+(\.\d+)?$/.test(value)) return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}
