import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS } from "./store-unavailable.js";

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** After this long the delivery is answered 202 while its handlers keep running (as Probot does). */
const ANSWER_WITHIN_MS = 9_000;

const REQUIRED_HEADERS = ["x-github-event", "x-github-delivery", "x-hub-signature-256"] as const;
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

type Refusal = { readonly status: number; readonly error: string };

/** How long a refused upload may keep sending (discarded) after its answer, so the client can read it. */
const LINGER_MS = 1_000;

function answer(
  res: ServerResponse,
  status: number,
  body: Record<string, string>,
  headers: Record<string, string> = {},
): true {
  if (res.headersSent) return true;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(`${JSON.stringify(body)}\n`);
  return true;
}

/**
 * Answers a request whose body is not wanted, then closes the connection. Closing at once would
 * reset it while the client is still sending and lose the answer; so the rest of the upload is
 * discarded (never buffered) for at most LINGER_MS after a half-close.
 */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): true {
  const socket = req.socket;
  res.once("finish", () => {
    socket.end();
    req.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  return answer(res, refusal.status, { error: refusal.error });
}

/**
 * Reads the body while computing its HMAC, and gives up as soon as it passes `maxBytes`:
 * an unauthenticated sender can make Backflow hold at most `maxBytes`, never the whole upload.
 */
function readSignedBody(
  req: IncomingMessage,
  input: { secret: string; maxBytes: number },
): Promise<{ body: Buffer; digest: Buffer } | Refusal> {
  return new Promise((resolve) => {
    const hmac = createHmac("sha256", input.secret);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: { body: Buffer; digest: Buffer } | Refusal) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > input.maxBytes) {
        // Stop keeping chunks: the answer closes the connection; the rest is never buffered.
        settle({ status: 413, error: `payload is larger than ${input.maxBytes} bytes` });
        return;
      }
      hmac.update(chunk);
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => settle({ body: Buffer.concat(chunks, size), digest: hmac.digest() }));
    req.once("error", () => settle({ status: 400, error: "the request body could not be read" }));
    req.once("aborted", () => settle({ status: 400, error: "the request was aborted" }));
  });
}

/** Checks what can be checked before the body: method, content type, the GitHub headers, the size. */
function refuseEarly(req: IncomingMessage, maxBytes: number): Refusal | undefined {
  if (req.method !== "POST") return { status: 405, error: "webhook deliveries must be POSTed" };
  const type = req.headers["content-type"] ?? "";
  if (!/^\s*application\/json\s*(;|$)/i.test(type))
    return { status: 415, error: 'content-type must be "application/json"' };
  const missing = REQUIRED_HEADERS.filter((h) => typeof req.headers[h] !== "string" || req.headers[h] === "");
  if (missing.length > 0) return { status: 400, error: `required headers missing: ${missing.join(", ")}` };
  if (!SIGNATURE.test(String(req.headers["x-hub-signature-256"])))
    return { status: 401, error: "x-hub-signature-256 must be sha256=<64 hex digits>" };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes)
    return { status: 413, error: `payload is larger than ${maxBytes} bytes` };
  return undefined;
}

function signatureMatches(header: string, digest: Buffer): boolean {
  const hex = SIGNATURE.exec(header)?.[1];
  if (!hex) return false;
  return timingSafeEqual(Buffer.from(hex.toLowerCase(), "hex"), digest);
}

/** The first 4xx error among a handler failure (Probot wraps them in an AggregateError), if any. */
function clientError(error: unknown): { status: number; message: string } | undefined {
  const errors = error instanceof AggregateError ? [...error.errors] : [error];
  for (const e of errors) {
    const status = (e as { status?: unknown })?.status;
    if (typeof status === "number" && status >= 400 && status < 500 && e instanceof Error)
      return { status, message: e.message };
  }
  return undefined;
}

/** Hands a verified delivery to the app's handlers; answers 202 if they take longer than Probot allows. */
async function dispatch(
  probot: Probot,
  event: { id: string; name: string; payload: object },
  log: Logger,
): Promise<{ status: number; body: Record<string, string>; headers?: Record<string, string> }> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<{ status: number; body: Record<string, string> }>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 202, body: { status: "still processing" } }),
      ANSWER_WITHIN_MS,
    );
  });
  const handled = probot
    // @ts-expect-error the event name and payload come from outside; Probot's handlers check them at run time
    .receive(event)
    .then(() => ({ status: 200, body: { status: "ok" } }))
    .catch((error: unknown) => {
      // A handler that refuses the payload says so with a 4xx `status` (as @octokit/webhooks honours).
      const refused = clientError(error);
      if (refused) {
        log.warn({ delivery: event.id, event: event.name, status: refused.status }, refused.message);
        return { status: refused.status, body: { error: refused.message } };
      }
      // The jobs this delivery needs were not queued; GitHub shows the 503 and the delivery can be redelivered.
      if (isStoreUnavailable(error)) {
        log.warn({ delivery: event.id, event: event.name }, "webhook refused: database unreachable");
        return {
          status: 503,
          body: { error: `the database is unreachable; redeliver ${event.id} later` },
          headers: { "retry-after": String(STORE_RETRY_AFTER_SECONDS) },
        };
      }
      log.error({ err: error, delivery: event.id, event: event.name }, "webhook handler failed");
      // The sender gets the delivery id to find the log line, never internal error text.
      return {
        status: 500,
        body: { error: `the ${event.name} handler failed; delivery ${event.id} is logged` },
      };
    });
  try {
    return await Promise.race([handled, slow]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GitHub's webhook endpoint, in front of Probot: refuses wrong methods, content types, missing
 * headers and bodies over `maxBytes` (413, while streaming), verifies `x-hub-signature-256` over the
 * stream in constant time, and only then parses the JSON and hands it to Probot's handlers.
 * Returns a server handler that answers only `path`.
 */
export function createWebhookEndpoint(input: {
  probot: Probot;
  secret: string;
  path: string;
  log: Logger;
  maxBytes?: number;
}): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const maxBytes = input.maxBytes ?? MAX_WEBHOOK_BYTES;
  const path = input.path.replace(/\/+$/, "") || "/";
  return async (req, res) => {
    const requested = (req.url ?? "/").split("?")[0]?.replace(/\/+$/, "") || "/";
    if (requested !== path) return false;
    const early = refuseEarly(req, maxBytes);
    // Refused before the body is read: the connection is closed rather than the upload read.
    if (early) return refuse(req, res, early);
    const read = await readSignedBody(req, { secret: input.secret, maxBytes });
    if ("status" in read) return refuse(req, res, read);
    const signature = String(req.headers["x-hub-signature-256"]);
    if (!signatureMatches(signature, read.digest))
      return answer(res, 401, { error: "signature does not match the payload and the webhook secret" });
    let payload: unknown;
    try {
      payload = JSON.parse(read.body.toString("utf8"));
    } catch {
      return answer(res, 400, { error: "the payload is not valid JSON" });
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload))
      return answer(res, 400, { error: "the payload must be a JSON object" });
    const id = String(req.headers["x-github-delivery"]);
    const name = String(req.headers["x-github-event"]);
    const result = await dispatch(input.probot, { id, name, payload }, input.log);
    return answer(res, result.status, result.body, result.headers);
  };
}
