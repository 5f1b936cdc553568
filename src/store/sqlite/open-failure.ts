import { StoreError } from "../store-errors.js";

/** What to tell the user for each SQLite result code that can come up while opening a database file. */
function explain(code: string, path: string, busyTimeoutMs: number): string {
  const moveAway = `move ${path} away (Backflow then starts with an empty store: queued jobs, signal history and finding records are lost)`;
  switch (code) {
    case "SQLITE_NOTADB":
      return `${path} is not a SQLite database (its first bytes are not a SQLite header; was another file put there?). Point DATABASE_URL at the right file, or ${moveAway}.`;
    case "SQLITE_CORRUPT":
      return `${path} is damaged (SQLite: database disk image is malformed — truncated, partly overwritten, or copied while in use). Restore it from a backup, or salvage it with \`sqlite3 ${path} .recover | sqlite3 recovered.db\` and point DATABASE_URL at recovered.db, or ${moveAway}.`;
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return `${path} is locked by another process (waited ${busyTimeoutMs} ms). Stop the other program holding it (another Backflow with a different DATABASE_URL setup, a sqlite3 shell, a backup tool), then start again.`;
    case "SQLITE_READONLY":
    case "SQLITE_PERM":
    case "SQLITE_AUTH":
      return `${path} cannot be written by this process. Give the user running Backflow write access to the file and its directory (SQLite also writes ${path}-wal and ${path}-shm next to it).`;
    case "SQLITE_CANTOPEN":
      return `${path} cannot be opened. Check that its directory exists and is writable, or set DATABASE_URL to another path.`;
    case "SQLITE_FULL":
      return `the disk holding ${path} is full. Free space there, or set DATABASE_URL to a file on another disk.`;
    default:
      if (code.startsWith("SQLITE_IOERR"))
        return `reading or writing ${path} failed at the operating-system level (${code}). Check the disk and the file system it is on (a network file system does not support SQLite's locking).`;
      return "";
  }
}

/**
 * Turns an error raised while opening and migrating a SQLite file into a StoreError that says which
 * file, what is wrong, and what to do. Errors that are already StoreErrors pass through.
 * @example throw describeOpenFailure("./backflow.db", error, 5000)
 */
export function describeOpenFailure(path: string, error: unknown, busyTimeoutMs: number): Error {
  if (error instanceof StoreError) return error;
  const code =
    typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "";
  const reason = error instanceof Error ? error.message : String(error);
  const advice = explain(code, path, busyTimeoutMs);
  if (advice !== "")
    return new StoreError(`cannot open the Backflow database: ${advice} (SQLite said: ${reason})`);
  return new StoreError(
    `cannot open the SQLite database at ${path}: ${reason}. Check that the directory exists and is writable, or set DATABASE_URL to another path.`,
  );
}
