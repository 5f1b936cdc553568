import { readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignalError } from "../../src/core/errors.js";
import { adaptDelivery } from "../../src/core/signals/adapt-delivery.js";
import { DEFAULT_OBSERVED_AT_WINDOW } from "../../src/core/signals/observed-at-window.js";
import { SignalFormatSchema } from "../../src/core/signals/signal-schema.js";
import { parseSignalSources } from "../../src/server/signals/sources-config.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { post, silentLog, startIntake, TOKEN } from "../server/signals/intake-harness.js";
import { fuzzParameters, fuzzTimeoutMs } from "./fuzz-options.js";

// Every intake format, mutated from real payloads: no input crashes, answers 500 or runs unbounded.
const FIXTURES_DIR = new URL("../fixtures/signals/", import.meta.url);
const fixtures: unknown[] = readdirSync(FIXTURES_DIR, { recursive: true })
  .map(String)
  .filter((name) => name.endsWith(".json"))
  .map((name) => JSON.parse(readFileSync(new URL(name, FIXTURES_DIR), "utf8")) as unknown);

const RECEIVED = new Date("2026-11-25T08:00:00Z");
/** Per-case bound: generous for a shared CI machine; a real hang is orders of magnitude slower. */
const MAX_CASE_MS = 3000;

type Path = ReadonlyArray<string | number>;

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (typeof value === "object" && value !== null && prefix.length < 12) {
    for (const [key, child] of Object.entries(value))
      pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key], out);
  }
  return out;
}

function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    copy[String(head)] = replaceAt(copy[String(head)], rest, replacement);
    return copy;
  }
  return value;
}

// Values senders get wrong: wrong types, hostile keys, huge and odd numbers, odd dates and strings.
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    "",
    "constructor",
    "__proto__",
    "9999-12-31T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "NaN",
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER,
    [],
    {},
    { __proto__: { polluted: true } },
    "\u0000\u001b[2J",
    "x".repeat(5000),
  ),
);

const mutatedPayload = fc
  .record({
    fixture: fc.nat({ max: fixtures.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), value: hostileValue }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ fixture, edits }) =>
    edits.reduce((body, edit) => {
      const paths = pathsOf(body);
      return replaceAt(body, paths[edit.at % paths.length] ?? [], edit.value);
    }, fixtures[fixture]),
  );

const hint = fc.option(
  fc.constantFrom(...SignalFormatSchema.options, "constructor", "toString", "gx", "nope"),
  {
    nil: undefined,
  },
);

describe("fuzz: signal adapters", () => {
  it(
    "either adapts a mutated payload or throws a SignalError with a status, in bounded time",
    () => {
      fc.assert(
        fc.property(mutatedPayload, hint, (body, format) => {
          const started = performance.now();
          try {
            const adapted = adaptDelivery(body, {
              hint: format,
              source: "fuzz",
              receivedAt: RECEIVED,
              deliveryId: "fuzz-1",
              window: DEFAULT_OBSERVED_AT_WINDOW,
            });
            for (const skipped of adapted.skipped) expect(skipped.reason.length).toBeGreaterThan(0);
            for (const signal of adapted.signals) expect(signal.id.length).toBeGreaterThan(0);
          } catch (error) {
            if (!(error instanceof SignalError)) throw error;
            expect([400, 415]).toContain(error.status);
          }
          expect(performance.now() - started).toBeLessThan(MAX_CASE_MS);
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeoutMs(20, 150),
  );
});

describe("fuzz: the HTTP signal intake", () => {
  let store: SqliteStore;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    store = openSqliteStore(":memory:");
    const sources = parseSignalSources(
      JSON.stringify({
        maxBodyBytes: 256 * 1024,
        sources: [{ id: "fuzz", bearerTokens: [TOKEN], repos: ["acme/shop"] }],
      }),
      "sources.json",
    );
    ({ server, port } = await startIntake({ store, sources, clock: () => RECEIVED, log: silentLog }));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  const route = fc.constantFrom(
    "/signals",
    "/api/v1/lineage",
    "/alertmanager",
    "/signals/dbt",
    "/signals/great-expectations",
    "/signals/constructor",
    "/signals/__proto__",
    "/signals/soda",
  );
  const body = fc.oneof(
    mutatedPayload.map((value) => Buffer.from(JSON.stringify(value) ?? "null")),
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ maxLength: 512 }).map((text) => Buffer.from(text)),
  );
  const encoding = fc.constantFrom("identity", "gzip", "gzip-lie");

  it(
    "answers every body with a JSON 2xx or 4xx, never a 500, in bounded time",
    async () => {
      await fc.assert(
        fc.asyncProperty(route, body, encoding, async (path, raw, how) => {
          const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
          let payload = raw;
          if (how !== "identity") headers["content-encoding"] = "gzip";
          if (how === "gzip") payload = gzipSync(raw);
          const started = performance.now();
          const reply = await post({ port, path, body: payload, headers });
          expect(performance.now() - started).toBeLessThan(MAX_CASE_MS);
          expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
          expect(reply.status).toBeGreaterThanOrEqual(200);
          expect(typeof reply.body.message === "string" || typeof reply.body.duplicate === "boolean").toBe(
            true,
          );
          expect(JSON.stringify(reply.body)).not.toMatch(/\n\s+at |Error:/);
        }),
        fuzzParameters(60),
      );
    },
    fuzzTimeoutMs(60, 60),
  );
});
