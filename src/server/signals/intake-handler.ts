import type { IncomingMessage, ServerResponse } from "node:http";
import { SignalError } from "../../core/errors.js";
import { adaptSignals, detectFormat } from "../../core/signals/detect-format.js";
import type { SignalDelivery, Store } from "../../store/store.js";
import { authenticateSender, type Sender } from "./authenticate-sender.js";
import { chooseRepo } from "./choose-repo.js";
import { readBody } from "./read-body.js";
import type { SignalSources } from "./sources-config.js";
import { triageDeliveryJobInput } from "./triage-delivery-job.js";

type LogFn = (fields: Record<string, unknown>, message: string) => void;
/** The subset of Probot's pino logger the intake uses. */
export type IntakeLog = { readonly info: LogFn; readonly warn: LogFn; readonly error: LogFn };

export type AcceptedDelivery = { readonly delivery: SignalDelivery; readonly signalIds: readonly string[] };

export type SignalIntakeOptions = {
  readonly store: Pick<Store, "signals">;
  readonly sources: SignalSources;
  readonly clock: () => Date;
  readonly log: IntakeLog;
  /** Called after a new delivery is committed and acknowledged (e.g. to wake the worker). */
  readonly onAccepted?: (accepted: AcceptedDelivery) => void;
};

type Route = { readonly hint: string | undefined; readonly fixed: boolean };

/** The format a path fixes, or undefined when the path is not an intake route. */
function routeOf(pathname: string): Route | undefined {
  if (pathname === "/signals") return { hint: undefined, fixed: false };
  if (pathname === "/api/v1/lineage") return { hint: "openlineage", fixed: true };
  if (pathname === "/alertmanager") return { hint: "alertmanager", fixed: true };
  const match = /^\/signals\/([A-Za-z0-9_.-]+)$/.exec(pathname);
  return match ? { hint: match[1], fixed: true } : undefined;
}

function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    // After a refused oversize body the rest of the request is unread; do not reuse the connection.
    ...(status === 413 ? { connection: "close" } : {}),
  });
  res.end(text);
  return true;
}

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: "invalid_payload",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_format",
};

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new SignalError(
      `the body is not valid JSON (${(error as Error).message}); send one JSON document`,
      400,
      "",
    );
  }
}

function formatHint(req: IncomingMessage, route: Route, sender: Sender): string | undefined {
  if (route.fixed) return route.hint;
  const header = req.headers["x-backflow-format"];
  const named = Array.isArray(header) ? header[0] : header;
  return named ?? sender.source.format;
}

/**
 * The signal intake routes as a node:http handler that returns true when it answered:
 * `POST /signals`, `POST /signals/{format}`, `POST /api/v1/lineage` (OpenLineage HTTP transport) and
 * `POST /alertmanager` (Alertmanager webhook). A delivery is verified, adapted into canonical signals
 * and committed with its triage job BEFORE the 202 is written; a replayed delivery id gets 200.
 */
export function createSignalIntake(options: SignalIntakeOptions) {
  const { store, sources, clock, log } = options;

  async function accept(req: IncomingMessage, res: ServerResponse, route: Route, url: URL): Promise<true> {
    const body = await readBody(req, sources.maxBodyBytes);
    const receivedAt = clock();
    const sender = authenticateSender({
      sources: sources.sources,
      headers: req.headers,
      body,
      now: receivedAt,
    });
    const source = sender.source.id;
    const { deliveryId } = sender;
    const known = await store.signals.getDelivery({ source, deliveryId });
    if (known)
      return duplicate(
        res,
        known.delivery,
        known.signals.map((s) => s.signalId),
      );

    const payload = parseJson(body);
    const repo = chooseRepo({ source: sender.source, query: url.searchParams, body: payload });
    const hint = formatHint(req, route, sender);
    const format = detectFormat(payload, hint);
    const signals = adaptSignals(payload, { hint: format, source, receivedAt, deliveryId });
    const result = await store.signals.recordDelivery({
      deliveryId,
      source,
      repo,
      format,
      rawBody: body,
      signals,
      receivedAt,
      job: triageDeliveryJobInput({ source, deliveryId, repo }, receivedAt),
    });
    if (result.duplicate) return duplicate(res, result.delivery, result.signalIds);

    log.info(
      { source, repo, deliveryId, format, signals: result.signalIds.length },
      "stored signal delivery",
    );
    sendJson(res, 202, {
      accepted: result.signalIds.length,
      signalIds: result.signalIds,
      deliveryId,
      message: `stored ${result.signalIds.length} signal(s) for ${repo}; they will be triaged shortly`,
    });
    try {
      options.onAccepted?.({ delivery: result.delivery, signalIds: result.signalIds });
    } catch (error) {
      log.error({ err: error, deliveryId }, "onAccepted failed after the delivery was stored");
    }
    return true;
  }

  function duplicate(res: ServerResponse, delivery: SignalDelivery, signalIds: readonly string[]): true {
    log.info(
      { source: delivery.source, deliveryId: delivery.deliveryId },
      "ignored replayed signal delivery",
    );
    return sendJson(res, 200, {
      duplicate: true,
      accepted: signalIds.length,
      signalIds,
      deliveryId: delivery.deliveryId,
      message: "this delivery id was already received; it is acknowledged and not processed again",
    });
  }

  function refuse(res: ServerResponse, error: unknown): true {
    if (error instanceof SignalError) {
      log.warn({ status: error.status, path: error.path }, `refused signal delivery: ${error.message}`);
      return sendJson(res, error.status, {
        error: ERROR_CODES[error.status] ?? "invalid_request",
        ...(error.path !== undefined ? { path: error.path } : {}),
        message: error.message,
      });
    }
    log.error({ err: error }, "could not store a signal delivery");
    return sendJson(res, 500, {
      error: "internal",
      message: "the delivery was not stored; retry it with the same webhook-id",
    });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://backflow.invalid");
    const route = routeOf(url.pathname);
    if (!route) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return sendJson(res, 405, {
        error: "method_not_allowed",
        message: `send signals with POST ${url.pathname}`,
      });
    }
    try {
      return await accept(req, res, route, url);
    } catch (error) {
      return refuse(res, error);
    }
  };
}
