import { isStoreUnavailable } from "./store-unavailable.js";

type Log = { error(fields: Record<string, unknown>, message: string): void };

/**
 * Keeps the process alive when a promise nobody awaits (inside a driver or the queue library) rejects
 * because the database connection was lost: the instance must stay up, answer /readyz 503, and reconnect
 * when the database returns. Any other unhandled rejection still ends the process, as Node does by default.
 * @example surviveStoreOutage(process, log);
 */
export function surviveStoreOutage(target: NodeJS.Process, log: Log): void {
  target.on("unhandledRejection", (reason) => {
    if (isStoreUnavailable(reason)) {
      const { message, code } = reason as { message?: unknown; code?: unknown };
      log.error(
        { error: String(message ?? reason), code },
        "lost the database connection in the background; carrying on",
      );
      return;
    }
    // Node's default for an unhandled rejection: an uncaught exception that ends the process.
    throw reason;
  });
}
