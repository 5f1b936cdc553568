import type { ColumnReader } from "../rows/column-reader.js";

/** Column conventions shared by the SQLite sub-stores: JSON as TEXT, times as epoch milliseconds. */

export function toJson(value: unknown): string {
  // JSON.stringify(undefined) is undefined; store it as null so the column stays NOT NULL.
  return JSON.stringify(value ?? null);
}

export function fromJson(text: string): unknown {
  return JSON.parse(text);
}

export function toMs(date: Date): number {
  return date.getTime();
}

export function fromMs(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** Splits `items` into chunks so an `IN (…)` list stays under SQLite's bound-parameter limit. */
export function chunk<T>(items: readonly T[], size = 500): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** `?, ?, ?` for an `IN (…)` list of `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

/** SQLite hands back epoch milliseconds, JSON text and 0/1. */
export const sqliteColumns: ColumnReader = {
  date: (value) => new Date(value as number),
  dateOrNull: (value) => fromMs(value as number | null),
  json: (value) => fromJson(value as string),
  bool: (value) => value === 1,
};
