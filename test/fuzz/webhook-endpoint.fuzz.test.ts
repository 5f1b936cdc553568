import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { silentLog, TEST_WEBHOOK_SECRET } from "../helpers/probot.js";
import { testServerSettings } from "../helpers/server-settings.js";
import { fuzzParameters, fuzzTimeoutMs } from "./fuzz-options.js";

let store: SqliteStore;
let running: RunningServer;

beforeAll(async () => {
  store = openSqliteStore(":memory:");
  running = await startServer({
    settings: await testServerSettings({
      dryRun: true,
      limits: {
        maxWebhookBytes: 64 * 1024,
        headersTimeoutMs: 5_000,
        requestTimeoutMs: 10_000,
        idleTimeoutMs: 2_000,
      },
    }),
    store,
    log: silentLog(),
    worker: false,
  });
});

afterAll(async () => {
  await running.stop();
  await store.close();
});

// JSON of any shape, JSON-looking garbage, and bytes that are not UTF-8.
const body = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ action: "opened", payload: v })),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.constantFrom("null", "[]", "{", '{"action":null}', '{"__proto__":{"x":1}}', '{"constructor":1}'),
);
const header = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
);
const event = fc.oneof(
  fc.constantFrom("ping", "pull_request", "push", "issues", "issue_comment", "check_run", "installation"),
  fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x21-\x7e]/g, "") || "x"),
);
const request = fc.record({
  body,
  event,
  signed: fc.boolean(),
  contentType: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", ""),
  delivery: header,
  signature: header,
  method: fc.constantFrom("POST", "POST", "POST", "GET", "PUT"),
  path: fc.constantFrom("/api/github/webhooks", "/api/github/webhooks/", "/api/github/webhooks?x=1"),
});

describe("fuzz: the webhook endpoint", () => {
  it(
    "answers every request, signed or not, with a status below 500 and stays up",
    async () => {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const signature = r.signed
            ? `sha256=${createHmac("sha256", TEST_WEBHOOK_SECRET).update(r.body).digest("hex")}`
            : r.signature;
          const headers: Record<string, string> = { "x-github-event": r.event };
          if (r.contentType) headers["content-type"] = r.contentType;
          if (r.delivery !== undefined || r.signed)
            headers["x-github-delivery"] = r.delivery || "fuzz-delivery";
          if (signature !== undefined) headers["x-hub-signature-256"] = signature;
          const response = await fetch(`${running.url}${r.path}`, {
            method: r.method,
            headers,
            ...(r.method === "GET" ? {} : { body: r.body }),
          });
          const text = await response.text();
          expect(response.status).toBeLessThan(500);
          expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
        }),
        fuzzParameters(60),
      );
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    },
    fuzzTimeoutMs(100, 60),
  );
});
