import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  signStandardWebhook,
  verifyStandardWebhook,
  WEBHOOK_TOLERANCE_SECONDS,
} from "../../../src/server/signals/verify-standard-webhook.js";

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const otherSecret = `whsec_${randomBytes(32).toString("base64")}`;
const now = new Date("2026-11-25T12:00:00Z");
const nowSeconds = Math.floor(now.getTime() / 1000);
const body = Buffer.from('{"type":"metric_breach","dataset":{"name":"orders"}}');

function headersFor(signature: string, timestamp = nowSeconds, id = "msg_1") {
  return { id, timestamp: String(timestamp), signature };
}

describe("verifyStandardWebhook", () => {
  it("accepts a signature made by the standardwebhooks reference library", () => {
    const signature = new Webhook(secret).sign("msg_1", now, body.toString());
    const verdict = verifyStandardWebhook({ secrets: [secret], headers: headersFor(signature), body, now });
    expect(verdict).toEqual({ ok: true, secretIndex: 0 });
  });

  it("signs exactly as the reference library does, for any id, time and body", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        fc.string(),
        (id, seconds, text) => {
          const reference = new Webhook(secret).sign(id, new Date(seconds * 1000), text);
          expect(signStandardWebhook({ secret, id, timestamp: seconds, body: text })).toBe(reference);
        },
      ),
    );
  });

  it("produces signatures the reference library verifies", () => {
    // The reference verifies against the real clock, so sign for the real clock here.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signStandardWebhook({ secret, id: "msg_2", timestamp, body });
    const headers = { "webhook-id": "msg_2", "webhook-timestamp": timestamp, "webhook-signature": signature };
    expect(new Webhook(secret).verify(body.toString(), headers)).toEqual(JSON.parse(body.toString()));
  });

  it("accepts either secret during rotation and says which one matched", () => {
    const signature = signStandardWebhook({ secret: otherSecret, id: "msg_1", timestamp: nowSeconds, body });
    const verdict = verifyStandardWebhook({
      secrets: [secret, otherSecret],
      headers: headersFor(signature),
      body,
      now,
    });
    expect(verdict).toEqual({ ok: true, secretIndex: 1 });
  });

  it("finds the matching entry among several space-separated signatures", () => {
    const good = signStandardWebhook({ secret, id: "msg_1", timestamp: nowSeconds, body });
    const header = `v1a,${randomBytes(64).toString("base64")} v1,${randomBytes(32).toString("base64")} ${good}`;
    expect(verifyStandardWebhook({ secrets: [secret], headers: headersFor(header), body, now }).ok).toBe(
      true,
    );
  });

  it.each([
    [
      "another secret",
      () => signStandardWebhook({ secret: otherSecret, id: "msg_1", timestamp: nowSeconds, body }),
    ],
    ["another id", () => signStandardWebhook({ secret, id: "msg_2", timestamp: nowSeconds, body })],
    ["another body", () => signStandardWebhook({ secret, id: "msg_1", timestamp: nowSeconds, body: "{}" })],
    [
      "another timestamp",
      () => signStandardWebhook({ secret, id: "msg_1", timestamp: nowSeconds - 1, body }),
    ],
    [
      "a truncated signature",
      () => signStandardWebhook({ secret, id: "msg_1", timestamp: nowSeconds, body }).slice(0, 20),
    ],
    [
      "an unknown version",
      () => signStandardWebhook({ secret, id: "msg_1", timestamp: nowSeconds, body }).replace("v1,", "v2,"),
    ],
  ])("refuses a signature made with %s", (_, sign) => {
    const verdict = verifyStandardWebhook({ secrets: [secret], headers: headersFor(sign()), body, now });
    expect(verdict).toMatchObject({ ok: false, reason: "no-match" });
  });

  it.each([
    ["stale", nowSeconds - WEBHOOK_TOLERANCE_SECONDS - 1],
    ["future", nowSeconds + WEBHOOK_TOLERANCE_SECONDS + 1],
  ] as const)(
    "refuses a %s timestamp even with a valid signature, naming the window",
    (reason, timestamp) => {
      const signature = signStandardWebhook({ secret, id: "msg_1", timestamp, body });
      const verdict = verifyStandardWebhook({
        secrets: [secret],
        headers: headersFor(signature, timestamp),
        body,
        now,
      });
      expect(verdict).toMatchObject({ ok: false, reason });
      expect(verdict.ok ? "" : verdict.message).toContain("±300 seconds");
    },
  );

  it.each([nowSeconds - WEBHOOK_TOLERANCE_SECONDS, nowSeconds + WEBHOOK_TOLERANCE_SECONDS])(
    "accepts a timestamp at the edge of the window (%i)",
    (timestamp) => {
      const signature = signStandardWebhook({ secret, id: "msg_1", timestamp, body });
      const verdict = verifyStandardWebhook({
        secrets: [secret],
        headers: headersFor(signature, timestamp),
        body,
        now,
      });
      expect(verdict.ok).toBe(true);
    },
  );

  it.each([
    ["no id", { id: undefined, timestamp: String(nowSeconds), signature: "v1,x" }, "missing-headers"],
    ["no signature", { id: "m", timestamp: String(nowSeconds), signature: undefined }, "missing-headers"],
    [
      "a date string as timestamp",
      { id: "m", timestamp: now.toISOString(), signature: "v1,x" },
      "bad-timestamp",
    ],
  ] as const)("refuses a request with %s", (_, headers, reason) => {
    expect(verifyStandardWebhook({ secrets: [secret], headers, body, now })).toMatchObject({
      ok: false,
      reason,
    });
  });
});
