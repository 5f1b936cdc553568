import { createHmac, randomUUID } from "node:crypto";
import type { ServerSettings } from "../../src/server/read-server-env.js";
import { findFreePort, TEST_APP_ID, TEST_WEBHOOK_SECRET, testPrivateKey } from "./probot.js";

/**
 * Settings for a test server on a free loopback port, with the test app's credentials and silent
 * logs; `overrides` replace any field (e.g. `limits`).
 * @example const running = await startServer({ settings: await testServerSettings(), store, log });
 */
export async function testServerSettings(overrides: Partial<ServerSettings> = {}): Promise<ServerSettings> {
  return {
    appId: TEST_APP_ID,
    privateKey: testPrivateKey(),
    webhookSecret: TEST_WEBHOOK_SECRET,
    port: await findFreePort(),
    host: "127.0.0.1",
    webhookPath: undefined,
    databaseUrl: undefined,
    logLevel: "silent",
    dryRun: false,
    retentionDays: 90,
    ...overrides,
  };
}

/** GitHub's `x-hub-signature-256` for a webhook body. */
export function signWebhook(body: string | Buffer, secret = TEST_WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The headers GitHub sends with a webhook delivery: event, a fresh delivery id and the signature. */
export function signedWebhookHeaders(body: string | Buffer, event = "pull_request"): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": randomUUID(),
    "x-hub-signature-256": signWebhook(body),
  };
}
