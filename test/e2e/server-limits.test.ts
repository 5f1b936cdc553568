import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_HTTP_LIMITS, type HttpLimits, readServerEnv } from "../../src/server/read-server-env.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { loadPayload } from "../helpers/payloads.js";
import { silentLog, testPrivateKey } from "../helpers/probot.js";
import { signedWebhookHeaders, signWebhook, testServerSettings } from "../helpers/server-settings.js";

const WEBHOOKS = "/api/github/webhooks";
const LIMITS: HttpLimits = {
  maxWebhookBytes: 1024 * 1024,
  headersTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  idleTimeoutMs: 500,
};

let store: SqliteStore;
let running: RunningServer;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  running = await startServer({
    settings: await testServerSettings({ limits: LIMITS }),
    store,
    log: silentLog(),
    worker: false,
  });
});

afterEach(async () => {
  await running.stop();
  await store.close();
});

/**
 * Streams `totalBytes` of filler as a chunked body over a raw socket (no HTTP client library in
 * between), one 64 KiB chunk per turn of the event loop, and resolves with the status line and how
 * many bytes had been written when the answer arrived.
 */
async function streamBody(totalBytes: number): Promise<{ status: number; writtenWhenAnswered: number }> {
  const socket = connect(running.port, "127.0.0.1");
  await once(socket, "connect");
  socket.on("error", () => {});
  const headers = Object.entries(signedWebhookHeaders("{}", "ping"))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.write(`POST ${WEBHOOKS} HTTP/1.1\r\nhost: x\r\n${headers}transfer-encoding: chunked\r\n\r\n`);
  let written = 0;
  let answer: { status: number; writtenWhenAnswered: number } | undefined;
  const answered = new Promise<{ status: number; writtenWhenAnswered: number }>((resolve) => {
    socket.once("data", (data: Buffer) => {
      answer = {
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(data.toString())?.[1]),
        writtenWhenAnswered: written,
      };
      resolve(answer);
    });
  });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
  while (!answer && written < totalBytes && !socket.destroyed) {
    written += chunk.length;
    if (!socket.write(frame)) await Promise.race([once(socket, "drain"), once(socket, "close"), answered]);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  const result = await answered;
  socket.destroy();
  return result;
}

describe("the webhook endpoint's body limit", () => {
  it("answers 413 to a declared oversized body without reading it", async () => {
    const response = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: running.port,
          path: WEBHOOKS,
          method: "POST",
          headers: { ...signedWebhookHeaders("{}", "ping"), "content-length": String(200 * 1024 * 1024) },
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
          req.destroy();
        },
      );
      req.on("error", reject);
      req.write("{");
    });

    expect(response).toBe(413);
  });

  it("answers 413 while an undeclared (chunked) body is still streaming, past the limit only", async () => {
    const result = await streamBody(200 * 1024 * 1024);

    expect(result.status).toBe(413);
    // The answer came long before the 200 MB were sent: the server stopped reading at the limit.
    expect(result.writtenWhenAnswered).toBeLessThan(8 * LIMITS.maxWebhookBytes);
  });

  it("accepts a signed body just under the limit and refuses the same body with a bad signature", async () => {
    const payload = loadPayload("ping");
    const body = JSON.stringify({ ...payload, padding: "x".repeat(LIMITS.maxWebhookBytes - 20_000) });

    const good = await fetch(`${running.url}${WEBHOOKS}`, {
      method: "POST",
      headers: signedWebhookHeaders(body, "ping"),
      body,
    });
    const bad = await fetch(`${running.url}${WEBHOOKS}`, {
      method: "POST",
      headers: {
        ...signedWebhookHeaders(body, "ping"),
        "x-hub-signature-256": signWebhook(body, "not-the-secret"),
      },
      body,
    });

    expect(good.status).toBe(200);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: "signature does not match the payload and the webhook secret",
    });
  });

  it.each([
    ["null", "null"],
    ["an array", "[]"],
    ["a number", "42"],
    ["broken JSON", '{"action":'],
  ])("answers a signed body that is %s with 400, not 500", async (_name, body) => {
    const response = await fetch(`${running.url}${WEBHOOKS}`, {
      method: "POST",
      headers: signedWebhookHeaders(body),
      body,
    });

    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it("answers a signed delivery whose handler refuses the payload with that 4xx and its reason", async () => {
    const body = JSON.stringify({ action: "opened" });

    const response = await fetch(`${running.url}${WEBHOOKS}`, {
      method: "POST",
      headers: signedWebhookHeaders(body),
      body,
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(
      "pull_request payload is invalid at",
    );
  });

  it.each([
    ["no signature", 400, { "x-hub-signature-256": "" }],
    ["a malformed signature", 401, { "x-hub-signature-256": "sha1=abc" }],
    ["a text content type", 415, { "content-type": "text/plain" }],
  ])("answers %s with %i before reading the body", async (_name, status, headers) => {
    const response = await fetch(`${running.url}${WEBHOOKS}`, {
      method: "POST",
      headers: { ...signedWebhookHeaders("{}", "ping"), ...headers },
      body: "{}",
    });

    expect(response.status).toBe(status);
  });
});

/** Opens a raw socket, writes `first`, then one byte every `everyMs`; resolves with how long it stayed open. */
async function trickle(first: string, everyMs: number, maxMs: number): Promise<number> {
  const socket = connect(running.port, "127.0.0.1");
  await once(socket, "connect");
  const started = Date.now();
  socket.write(first);
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write("a");
  }, everyMs);
  socket.on("error", () => {});
  socket.resume();
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now() - started)));
  const giveUp = new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), maxMs));
  const lasted = await Promise.race([closed, giveUp]);
  clearInterval(timer);
  socket.destroy();
  return lasted;
}

describe("slow clients", () => {
  it("closes a connection whose headers trickle in, after the header timeout", async () => {
    const lasted = await trickle("POST /api/github/webhooks HTTP/1.1\r\nx-slow: ", 200, 8_000);

    expect(lasted).toBeLessThan(LIMITS.headersTimeoutMs + 2_000);
  });

  it("closes a connection whose body trickles in (a byte at a time), after the request timeout", async () => {
    const head = `POST /api/github/webhooks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-github-event: ping\r\nx-github-delivery: 1\r\nx-hub-signature-256: ${signWebhook("{}")}\r\ncontent-length: 100000\r\n\r\n`;
    const lasted = await trickle(head, 200, 8_000);

    expect(lasted).toBeLessThan(LIMITS.requestTimeoutMs + 2_000);
  });

  it("closes an idle connection after the idle timeout", async () => {
    const lasted = await trickle("", 60_000, 8_000);

    expect(lasted).toBeLessThan(LIMITS.idleTimeoutMs * 2 + 2_000);
  });

  it("keeps the documented defaults well under a minute, each overridable from the environment", () => {
    const env = { APP_ID: "1", PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET: "s" };

    expect(readServerEnv(env).limits).toEqual(DEFAULT_HTTP_LIMITS);
    expect(DEFAULT_HTTP_LIMITS).toEqual({
      maxWebhookBytes: 25 * 1024 * 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 5_000,
    });
    expect(readServerEnv({ ...env, BACKFLOW_REQUEST_TIMEOUT_MS: "45000" }).limits?.requestTimeoutMs).toBe(
      45_000,
    );
    expect(() => readServerEnv({ ...env, BACKFLOW_HEADERS_TIMEOUT_MS: "soon" })).toThrow(
      'BACKFLOW_HEADERS_TIMEOUT_MS must be a positive whole number, not "soon"',
    );
  });
});
