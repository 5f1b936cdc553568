import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SignalError } from "../../core/errors.js";
import { adaptDelivery } from "../../core/signals/adapt-delivery.js";
import { detectFormat } from "../../core/signals/detect-format.js";
import type { SignalFormat } from "../../core/signals/signal-schema.js";
import { durationMs } from "../../core/triage/hysteresis.js";
import type { RecordDeliveryResult, SignalDelivery, Store } from "../../store/store.js";
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS } from "../store-unavailable.js";
import { authenticateSender, type Sender } from "./authenticate-sender.js";
import { chooseRepo } from "./choose-repo.js";
import { parseJsonBody } from "./parse-json-body.js";
import { readBody } from "./read-body.js";
import type { SignalSources, SourcesHolder } from "./sources-config.js";
import { triageDeliveryJobInput } from "./triage-delivery-job.js";

type LogFn = (fields: Record<string, unknown>, message: string) => void;
/** The subset of Probot's pino logger the intake uses. */
export type IntakeLog = { readonly info: LogFn; readonly warn: LogFn; readonly error: LogFn };

export type AcceptedDelivery = { readonly delivery: SignalDelivery; readonly signalIds: readonly string[] };

export type SignalIntakeOptions = {
  readonly store: Pick<Store, "signals">;
  /** The sources file, or a holder that reloads it (see watchSignalSources). */
  readonly sources: SignalSources | SourcesHolder;
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

function sendJson(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    // After a refused oversize body the rest of the request is unread; do not reuse the connection.
    ...(status === 413 ? { connection: "close" } : {}),
    ...headers,
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

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The format hint of a request: the route's, else `x-backflow-format`, else the source's pinned one.
 * A source with a pinned `format` may only send that format, whatever the route or header says (415).
 */
function formatHint(req: IncomingMessage, route: Route, sender: Sender): string | undefined {
  const asked = route.fixed ? route.hint : header(req, "x-backflow-format");
  const pinned = sender.source.format;
  if (pinned === undefined) return asked;
  if (
    asked !== undefined &&
    asked.trim() !== "" &&
    detectFormat(undefined, asked) !== detectFormat(undefined, pinned)
  ) {
    throw new SignalError(
      `source "${sender.source.id}" is pinned to the ${pinned} format; it cannot send ${asked.slice(0, 40)} here. Post ${pinned} payloads, or change the source's format in the sources file`,
      415,
    );
  }
  return pinned;
}

function current(sources: SignalSources | SourcesHolder): SignalSources {
  return "current" in sources ? sources.current() : sources;
}

/** What a sender gets back for a stored delivery: counts, ids and every skipped item with its reason. */
function receipt(input: { result: RecordDeliveryResult; skipped: SignalDelivery["skipped"]; repo: string }) {
  const { result, skipped, repo } = input;
  const accepted = result.signalIds.length;
  const parts = [
    `stored ${accepted} signal(s) for ${repo}${accepted > 0 ? "; they will be triaged shortly" : ""}`,
    result.remapped.length > 0
      ? `${result.remapped.length} known signal(s) got a better mapping and will be triaged again`
      : "",
    result.alreadyReceived.length > 0
      ? `${result.alreadyReceived.length} signal(s) were already received and are not triaged again`
      : "",
    skipped.length > 0 ? `${skipped.length} item(s) skipped (see reasons)` : "",
  ].filter(Boolean);
  return {
    accepted,
    skipped: skipped.length,
    reasons: skipped,
    signalIds: result.signalIds,
    alreadyReceived: result.alreadyReceived,
    remapped: result.remapped,
    deliveryId: result.delivery.deliveryId,
    message: parts.join("; "),
  };
}

/**
 * The signal intake routes as a node:http handler that returns true when it answered:
 * `POST /signals`, `POST /signals/{format}`, `POST /api/v1/lineage` (OpenLineage HTTP transport) and
 * `POST /alertmanager` (Alertmanager webhook). A delivery is verified, adapted into canonical signals
 * and committed with its triage job BEFORE the 202 is written; a replayed delivery id gets 200.
 * Nothing a sender controls produces a 500: unreadable input is a 4xx that says what to fix.
 */
export function createSignalIntake(options: SignalIntakeOptions) {
  const { store, clock, log } = options;

  async function accept(req: IncomingMessage, res: ServerResponse, route: Route, url: URL): Promise<true> {
    const sources = current(options.sources);
    const body = await readBody(req, sources.maxBodyBytes);
    const receivedAt = clock();
    const sender = authenticateSender({
      sources: sources.sources,
      headers: req.headers,
      body,
      now: receivedAt,
    });
    const source = sender.source.id;
    // A bearer sender has no message id: an identical body is a retry only within the dedupe window.
    const bodyHash =
      sender.method === "bearer" ? `sha256:${createHash("sha256").update(body).digest("hex")}` : "";
    const deliveryId = sender.method === "bearer" ? `${bodyHash}:${receivedAt.getTime()}` : sender.deliveryId;
    const dedupe =
      sender.method === "bearer"
        ? {
            idPrefix: `${bodyHash}:`,
            since: new Date(receivedAt.getTime() - durationMs(sources.bearerDedupeWindow)),
          }
        : undefined;
    const known =
      sender.method === "signature" ? await store.signals.getDelivery({ source, deliveryId }) : null;
    if (known)
      return duplicate(
        res,
        known.delivery,
        known.signals.map((s) => s.signalId),
      );

    const adapted = adaptPayload({ req, route, url, sender, body, receivedAt, deliveryId, sources });
    const result = await store.signals.recordDelivery({
      deliveryId,
      source,
      repo: adapted.repo,
      format: adapted.format,
      rawBody: body,
      signals: adapted.signals,
      skipped: adapted.skipped,
      receivedAt,
      job: triageDeliveryJobInput({ source, deliveryId, repo: adapted.repo }, receivedAt),
      dedupe,
    });
    if (result.duplicate) return duplicate(res, result.delivery, result.signalIds);

    log.info(
      {
        source,
        repo: adapted.repo,
        deliveryId,
        format: adapted.format,
        signals: result.signalIds.length,
        skipped: adapted.skipped.length,
        alreadyReceived: result.alreadyReceived.length,
      },
      "stored signal delivery",
    );
    const nothingNew = result.signalIds.length === 0 && result.alreadyReceived.length > 0;
    sendJson(res, nothingNew ? 200 : 202, receipt({ result, skipped: adapted.skipped, repo: adapted.repo }));
    try {
      options.onAccepted?.({ delivery: result.delivery, signalIds: result.signalIds });
    } catch (error) {
      log.error({ err: error, deliveryId }, "onAccepted failed after the delivery was stored");
    }
    return true;
  }

  /** Everything computed from what the sender sent; any failure in here is the sender's input. */
  function adaptPayload(input: {
    req: IncomingMessage;
    route: Route;
    url: URL;
    sender: Sender;
    body: Buffer;
    receivedAt: Date;
    deliveryId: string;
    sources: SignalSources;
  }): { repo: string; format: SignalFormat } & ReturnType<typeof adaptDelivery> {
    const { sender, sources } = input;
    try {
      const payload = parseJsonBody(input.body);
      const repo = chooseRepo({ source: sender.source, query: input.url.searchParams, body: payload });
      const adapted = adaptDelivery(payload, {
        hint: formatHint(input.req, input.route, sender),
        source: sender.source.id,
        receivedAt: input.receivedAt,
        deliveryId: input.deliveryId,
        window: {
          maxFutureMs: durationMs(sources.maxFutureSkew),
          maxAgeMs: durationMs(sources.maxSignalAge),
        },
      });
      return { repo, ...adapted };
    } catch (error) {
      if (error instanceof SignalError) throw error;
      // A payload that trips a bug or a runtime limit is still the sender's input: answer 400, log the bug.
      log.error({ err: error, deliveryId: input.deliveryId }, "could not read a signal payload");
      throw new SignalError(
        "the payload could not be read as a signal; check it against the format's documentation",
        400,
      );
    }
  }

  function duplicate(res: ServerResponse, delivery: SignalDelivery, signalIds: readonly string[]): true {
    log.info(
      { source: delivery.source, deliveryId: delivery.deliveryId },
      "ignored replayed signal delivery",
    );
    return sendJson(res, 200, {
      duplicate: true,
      accepted: signalIds.length,
      alreadyReceived: signalIds,
      signalIds,
      deliveryId: delivery.deliveryId,
      message: "this delivery was already received; it is acknowledged and not processed again",
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
    if (isStoreUnavailable(error)) {
      // The delivery's transaction never committed: nothing of it is stored, so a retry starts clean.
      // One short line: during an outage every delivery lands here, and a stack per request says nothing new.
      const { message, code } = error as { message?: unknown; code?: unknown };
      log.warn({ error: String(message), code }, "refused signal delivery: the database is unreachable");
      return sendJson(
        res,
        503,
        {
          error: "unavailable",
          message: `the database is unreachable; nothing was stored. Retry in ${STORE_RETRY_AFTER_SECONDS} s (a signed delivery with the same webhook-id)`,
        },
        { "retry-after": String(STORE_RETRY_AFTER_SECONDS) },
      );
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
