import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { type ApplicationFunction, Probot } from "probot";
import { createBackflowOctokit } from "../../src/github/backflow-octokit.js";
import type { BackflowMetrics } from "../../src/server/metrics.js";

export const TEST_APP_ID = 123;
export const TEST_WEBHOOK_SECRET = "test-webhook-secret";

let cachedKey: string | undefined;

/** An RSA private key generated once per test process (Probot signs app JWTs with it). */
export function testPrivateKey(): string {
  cachedKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return cachedKey;
}

/** A silent logger, so test output only shows test results. */
export function silentLog() {
  return pino({ level: "silent" });
}

/**
 * A Probot instance for handler tests: real webhooks and Octokit (through global fetch, so nock sees
 * every request), retry and throttle plugins off, silent logs. Loads `app` when given.
 */
export async function createTestProbot(
  options: { app?: ApplicationFunction; metrics?: BackflowMetrics } = {},
): Promise<Probot> {
  const probot = new Probot({
    appId: TEST_APP_ID,
    privateKey: testPrivateKey(),
    secret: TEST_WEBHOOK_SECRET,
    Octokit: createBackflowOctokit({
      testing: true,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    }),
    log: silentLog(),
  });
  if (options.app) await probot.load(options.app);
  return probot;
}

/** A TCP port that was free a moment ago (Probot's Server treats port 0 as "use 3000"). */
export async function findFreePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
