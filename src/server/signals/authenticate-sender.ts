import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { SignalError } from "../../core/errors.js";
import type { SignalSource } from "./sources-config.js";
import { verifyStandardWebhook } from "./verify-standard-webhook.js";

/** Who sent a request, and the id that deduplicates it. */
export type Sender = {
  readonly source: SignalSource;
  readonly deliveryId: string;
  readonly method: "signature" | "bearer";
};

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sha256(data: Buffer | string): Buffer {
  return createHash("sha256").update(data).digest();
}

function unauthorized(message: string): SignalError {
  return new SignalError(message, 401);
}

function namedSource(sources: readonly SignalSource[], id: string | undefined): SignalSource | undefined {
  if (id === undefined) return undefined;
  const source = sources.find((s) => s.id === id);
  if (!source)
    throw unauthorized(`unknown source "${id}" in x-backflow-source; use an id from the sources file`);
  return source;
}

function bySignature(input: {
  sources: readonly SignalSource[];
  headers: IncomingHttpHeaders;
  body: Buffer;
  now: Date;
}): Sender {
  const { headers, body, now } = input;
  const webhook = {
    id: header(headers, "webhook-id"),
    timestamp: header(headers, "webhook-timestamp"),
    signature: header(headers, "webhook-signature"),
  };
  const named = namedSource(input.sources, header(headers, "x-backflow-source"));
  const candidates = named ? [named] : input.sources;
  let lastMessage = "no source has a webhook secret; sign with a source's secret or send its bearer token";
  for (const source of candidates) {
    const verdict = verifyStandardWebhook({ secrets: source.secrets ?? [], headers: webhook, body, now });
    if (verdict.ok && webhook.id) return { source, deliveryId: webhook.id, method: "signature" };
    if (!verdict.ok) {
      // A timestamp or header problem is the same for every source: report it at once.
      if (verdict.reason !== "no-match") throw unauthorized(verdict.message);
      lastMessage = verdict.message;
    }
  }
  throw unauthorized(named ? `${lastMessage} (source "${named.id}")` : lastMessage);
}

function byBearer(sources: readonly SignalSource[], authorization: string, body: Buffer): Sender {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1])
    throw unauthorized("send `Authorization: Bearer <token>` with a token from the sources file");
  // Hashing first gives equal lengths, so the comparison is constant-time for any token.
  const offered = sha256(match[1]);
  for (const source of sources) {
    for (const token of source.bearerTokens ?? []) {
      if (timingSafeEqual(offered, sha256(token))) {
        // A bearer sender has no message id; the body's hash makes an identical resend a duplicate.
        return { source, deliveryId: `sha256:${sha256(body).toString("hex")}`, method: "bearer" };
      }
    }
  }
  throw unauthorized("the bearer token matches no source; check the token in the sender's configuration");
}

/**
 * Finds the configured source a request comes from: by Standard Webhooks signature (the source named
 * in `x-backflow-source`, or whichever source's secret verifies) or, for senders that cannot sign, by
 * `Authorization: Bearer`. Throws SignalError 401 with what to fix.
 */
export function authenticateSender(input: {
  sources: readonly SignalSource[];
  headers: IncomingHttpHeaders;
  body: Buffer;
  now: Date;
}): Sender {
  const { sources, headers, body } = input;
  if (header(headers, "webhook-signature") !== undefined) return bySignature(input);
  const authorization = header(headers, "authorization");
  if (authorization !== undefined) {
    const sender = byBearer(sources, authorization, body);
    const named = header(headers, "x-backflow-source");
    if (named !== undefined && named !== sender.source.id) {
      throw unauthorized(`the bearer token belongs to another source than "${named}" in x-backflow-source`);
    }
    return sender;
  }
  throw unauthorized(
    "the request is not authenticated: sign it (webhook-id, webhook-timestamp, webhook-signature headers) " +
      "or send `Authorization: Bearer <token>`",
  );
}
