import type { IncomingMessage, ServerResponse } from "node:http";
import type { Store } from "../store/store.js";
import { type BackflowMetrics, PROMETHEUS_CONTENT_TYPE } from "./metrics.js";

/** How long /readyz waits for the store before calling it unavailable. */
const READY_TIMEOUT_MS = 2000;

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): true {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(head ? undefined : body);
  return true;
}

async function pingWithTimeout(store: Pick<Store, "ping">): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([store.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Backflow's operational routes, as a Probot server handler (returns true when it answered):
 * `GET /healthz` (the process is up: restart it if not), `GET /readyz` (send it traffic: the store
 * answers and the process is not shutting down), `GET /metrics` (Prometheus).
 * A load balancer routes by /readyz: a database outage or a SIGTERM drain takes an instance out of
 * rotation without killing it, and it comes back by itself once the database answers again.
 */
export function createOpsHandler(input: {
  store: Pick<Store, "ping">;
  metrics: BackflowMetrics;
  /** Why the process should get no new traffic (e.g. "shutting down"), or undefined when it may. */
  notReadyReason?: () => string | undefined;
}) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const head = req.method === "HEAD";
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return send(res, 200, "text/plain; charset=utf-8", "ok\n", head);
    if (path === "/readyz") {
      const reason = input.notReadyReason?.();
      if (reason !== undefined) return send(res, 503, "text/plain; charset=utf-8", `${reason}\n`, head);
      try {
        await pingWithTimeout(input.store);
        return send(res, 200, "text/plain; charset=utf-8", "ready\n", head);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return send(res, 503, "text/plain; charset=utf-8", `store unavailable: ${reason}\n`, head);
      }
    }
    if (path === "/metrics")
      return send(res, 200, PROMETHEUS_CONTENT_TYPE, await input.metrics.registry.render(), head);
    return false;
  };
}
