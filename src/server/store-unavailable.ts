/**
 * Telling "the database cannot be reached right now" apart from every other failure, so a request
 * that needs the database is answered 503 with `retry-after` (the sender tries again, nothing was
 * stored) instead of 500 (something is wrong with this request).
 */

/** Seconds a sender is asked to wait when the database is unreachable. */
export const STORE_RETRY_AFTER_SECONDS = 5;

// Node's socket errors: the server is down, restarting or cut off.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// node-postgres reports a lost or never-made connection without a code, in these words.
const PG_CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Cannot use a pool after calling end/i;

/** Whether one error (not its causes) says the database is out of reach. */
function isOutage(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (SOCKET_CODES.has(code)) return true;
    // PostgreSQL SQLSTATE 08xxx: connection exception; 57P01-57P03: shutting down, crashed, starting up;
    // 53300: too many connections.
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code) || code === "53300") return true;
    // SQLite: the file is locked past the busy timeout, or the disk or file cannot be used.
    if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)/.test(code)) return true;
  }
  return error instanceof Error && PG_CONNECTION_MESSAGES.test(error.message);
}

/**
 * True when `error`, or an error it wraps (`cause`, or the members of an AggregateError such as
 * Probot's handler failures), says the database is unreachable or refusing connections.
 * @example if (isStoreUnavailable(error)) res.writeHead(503, { "retry-after": String(STORE_RETRY_AFTER_SECONDS) });
 */
export function isStoreUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    // Octokit's RequestError ("HttpError") wraps GitHub's network failures, not the database's.
    if (next instanceof Error && next.name === "HttpError") continue;
    if (isOutage(next)) return true;
    if (next instanceof AggregateError) pending.push(...next.errors);
    if ("cause" in next) pending.push((next as { cause?: unknown }).cause);
  }
  return false;
}
