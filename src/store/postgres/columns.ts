import type { ColumnReader } from "../rows/column-reader.js";

/** Column conventions shared by the PostgreSQL sub-stores (see migrations.ts). */

/**
 * JSON text for a `json` column, passed as a string parameter (`$n::json`) so node-postgres does
 * not guess; `undefined` becomes null so NOT NULL columns hold a value. node-postgres parses `json`
 * columns back into values on read.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A Date column or null, as node-postgres returns `timestamptz` (a Date). */
export function dateOrNull(value: Date | null | undefined): Date | null {
  return value ?? null;
}

/** The number of rows a statement changed (null for statements that report none). */
export function changed(result: { rowCount: number | null }): number {
  return result.rowCount ?? 0;
}

/** node-postgres already returns Dates, parsed JSON and booleans: the values are the record's. */
export const pgColumns: ColumnReader = {
  date: (value) => value as Date,
  dateOrNull: (value) => (value ?? null) as Date | null,
  json: (value) => value,
  bool: (value) => value as boolean,
};
