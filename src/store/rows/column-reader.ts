/**
 * How one backend's driver hands back the columns whose type differs between backends: times
 * (node-postgres: a Date from timestamptz; SQLite: epoch milliseconds), JSON (node-postgres: the
 * parsed value; SQLite: TEXT) and booleans (SQLite: 0/1). Each backend supplies one reader, so the
 * mapping from a row to a record in this folder is written once for both.
 */
export type ColumnReader = {
  date(value: unknown): Date;
  dateOrNull(value: unknown): Date | null;
  json(value: unknown): unknown;
  bool(value: unknown): boolean;
};
