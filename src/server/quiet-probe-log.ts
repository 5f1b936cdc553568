import type { IncomingMessage, ServerResponse } from "node:http";

/** Paths polled by orchestrators and Prometheus: their successful answers are logged at debug. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);

type LogMethod = (...args: unknown[]) => void;
type LoggedResponse = ServerResponse & { log?: { info: LogMethod; debug: LogMethod } };

/**
 * Under `probot run`, Probot's request logger (pino-http) logs every finished request at info, and
 * its options cannot be set from an app. For a probe or scrape, the finish line of this response
 * goes to debug instead when it succeeded, as `npm start` logs them; failures stay at info.
 */
export function quietProbeLog(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const log = (res as LoggedResponse).log;
  if (!PROBE_PATHS.has(path) || !log) return;
  const info = log.info.bind(log);
  const debug = log.debug.bind(log);
  log.info = (...args: unknown[]) => (res.statusCode < 400 ? debug(...args) : info(...args));
}
