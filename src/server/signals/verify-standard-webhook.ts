import { createHmac, timingSafeEqual } from "node:crypto";

/** Standard Webhooks allows this much clock difference, in either direction. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
};

export type WebhookVerdict =
  | { readonly ok: true; readonly secretIndex: number }
  | {
      readonly ok: false;
      readonly reason: "missing-headers" | "bad-timestamp" | "stale" | "future" | "no-match";
      readonly message: string;
    };

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as in the reference library). */
export function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` — one entry of the `webhook-signature` header. */
export function signStandardWebhook(input: {
  secret: string;
  id: string;
  /** Unix seconds; signed exactly as it is sent in `webhook-timestamp`. */
  timestamp: number | string;
  body: string | Buffer;
}): string {
  const mac = createHmac("sha256", webhookKey(input.secret));
  mac.update(`${input.id}.${input.timestamp}.`);
  mac.update(input.body);
  return `v1,${mac.digest("base64")}`;
}

function signaturesIn(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of header.split(" ")) {
    const comma = entry.indexOf(",");
    // Only the symmetric scheme exists here; `v1a` (ed25519) and unknown versions are skipped.
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    signatures.push(Buffer.from(entry.slice(comma + 1), "base64"));
  }
  return signatures;
}

function checkTimestamp(timestamp: string, now: Date): WebhookVerdict | null {
  const window = `the allowed window is ±${WEBHOOK_TOLERANCE_SECONDS} seconds around the server's clock`;
  if (!/^\d{1,15}$/.test(timestamp)) {
    return {
      ok: false,
      reason: "bad-timestamp",
      message: "webhook-timestamp must be integer unix seconds",
    };
  }
  const skew = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (skew > WEBHOOK_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: "stale",
      message: `webhook-timestamp is ${skew} s old; ${window}. Sign each delivery when you send it and check the sender's clock`,
    };
  }
  if (skew < -WEBHOOK_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: "future",
      message: `webhook-timestamp is ${-skew} s in the future; ${window}. Check the sender's clock`,
    };
  }
  return null;
}

/**
 * Verifies a Standard Webhooks (v1, HMAC-SHA256) signature against the raw body, trying each secret
 * (two during rotation) and each `v1,` entry of the header, in constant time per comparison.
 * Pure: the clock is passed in.
 */
export function verifyStandardWebhook(input: {
  secrets: readonly string[];
  headers: WebhookHeaders;
  body: Buffer;
  now: Date;
}): WebhookVerdict {
  const { id, timestamp, signature } = input.headers;
  if (!id || !timestamp || !signature) {
    return {
      ok: false,
      reason: "missing-headers",
      message: "send the webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks)",
    };
  }
  const timeProblem = checkTimestamp(timestamp, input.now);
  if (timeProblem) return timeProblem;
  const offered = signaturesIn(signature);
  for (const [secretIndex, secret] of input.secrets.entries()) {
    const expected = Buffer.from(
      signStandardWebhook({ secret, id, timestamp, body: input.body }).slice(3),
      "base64",
    );
    for (const candidate of offered) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { ok: true, secretIndex };
      }
    }
  }
  return {
    ok: false,
    reason: "no-match",
    message:
      "no webhook-signature entry matches: sign `<webhook-id>.<webhook-timestamp>.<raw body>` with HMAC-SHA256 " +
      "using the base64-decoded part of your whsec_ secret, and send `v1,<base64 signature>`",
  };
}
