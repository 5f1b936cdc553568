import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffMs,
  type DecideRetryInput,
  decideRetry,
  type JobFailure,
} from "../../../src/core/jobs/decide-retry.js";

const now = new Date("2025-01-01T00:00:00Z");
const later = (ms: number) => new Date(now.getTime() + ms);
const http = (status: number, extra: Partial<Extract<JobFailure, { type: "http" }>> = {}): JobFailure => ({
  type: "http",
  status,
  message: `status ${status}`,
  rateLimited: false,
  ...extra,
});
const decide = (failure: JobFailure, extra: Partial<DecideRetryInput> = {}) =>
  decideRetry({
    failure,
    attempts: 2,
    maxAttempts: 5,
    now,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    jitter: 0.5,
    githubDownUntil: null,
    ...extra,
  });

describe("decideRetry", () => {
  it.each([
    {
      name: "a network failure",
      failure: { type: "network", message: "ECONNREFUSED" },
      action: "retry",
      at: later(1000),
    },
    { name: "a 500", failure: http(500), action: "retry", at: later(1000) },
    { name: "a 502", failure: http(502), action: "retry", at: later(1000) },
    { name: "a 409 conflict", failure: http(409), action: "retry", at: later(1000) },
    { name: "a 401 (token expired)", failure: http(401), action: "retry", at: later(1000) },
    {
      name: "an unknown error",
      failure: { type: "unknown", message: "boom" },
      action: "retry",
      at: later(1000),
    },
    {
      name: "a 422",
      failure: http(422),
      action: "dead-letter",
      reason: /permanent failure \(GitHub refused the change as invalid\): GitHub answered 422/,
    },
    {
      name: "a 404 of a deleted repository",
      failure: http(404),
      action: "dead-letter",
      reason: /no longer exists.*404/,
    },
    { name: "a 410", failure: http(410), action: "dead-letter", reason: /gone/ },
    { name: "a 400", failure: http(400), action: "dead-letter", reason: /malformed/ },
    {
      name: "a 403 without rate-limit headers",
      failure: http(403),
      action: "dead-letter",
      reason: /lacks a permission/,
    },
    {
      name: "a validation failure",
      failure: { type: "permanent", message: "payload invalid at repo" },
      action: "dead-letter",
      reason: /^permanent failure: payload invalid at repo$/,
    },
    {
      name: "a secondary rate limit with retry-after 60",
      failure: http(403, { rateLimited: true, retryAfterMs: 60_000 }),
      action: "release",
      at: later(60_000),
    },
    {
      name: "a 429 with retry-after 3",
      failure: http(429, { rateLimited: true, retryAfterMs: 3000 }),
      action: "release",
      at: later(3000),
    },
    {
      name: "an exhausted quota (reset in 10 min)",
      failure: http(403, { rateLimited: true, rateLimitResetAt: now.getTime() + 600_000 }),
      action: "release",
      at: later(601_000),
    },
    {
      name: "a 429 without retry-after (backoff)",
      failure: http(429, { rateLimited: true }),
      action: "release",
      at: later(1000),
    },
  ] as const)("$name → $action", ({ failure, action, ...expected }) => {
    const decision = decide(failure);
    expect(decision.action).toBe(action);
    if ("at" in expected) expect(decision).toMatchObject({ at: expected.at });
    if ("reason" in expected && expected.reason) expect(decision.reason).toMatch(expected.reason);
  });

  it.each([
    {
      name: "a network failure",
      failure: { type: "network", message: "ETIMEDOUT" } as const,
      action: "release",
    },
    { name: "a 503", failure: http(503), action: "release" },
    { name: "a 422", failure: http(422), action: "dead-letter" },
    {
      name: "an unknown error",
      failure: { type: "unknown", message: "bug" } as const,
      action: "dead-letter",
    },
  ])("on the last attempt with the breaker open, $name → $action", ({ failure, action }) => {
    const decision = decide(failure, { githubDownUntil: later(30_000), attempts: 5 });
    expect(decision.action).toBe(action);
    if (action === "release")
      expect(decision).toMatchObject({ at: later(30_000), reason: /circuit breaker open/ });
  });

  it("dead-letters a retryable failure on the last attempt, saying how many were made", () => {
    expect(decide(http(500), { attempts: 5 })).toEqual({
      action: "dead-letter",
      reason: "gave up after 5 attempts: GitHub answered 500: status 500",
    });
    expect(decide(http(500), { attempts: 4 }).action).toBe("retry");
  });

  it("never spends a rate-limited attempt, even the last one", () => {
    expect(decide(http(429, { rateLimited: true, retryAfterMs: 5 }), { attempts: 5 }).action).toBe("release");
  });
});

describe("backoffMs", () => {
  const delay = (attempts: number, jitter: number, baseMs = 1000, maxMs = 60_000) =>
    backoffMs({ attempts, baseMs, maxMs, jitter });
  it.each([
    { attempts: 1, jitter: 0.999999, ms: 999 },
    { attempts: 2, jitter: 0.5, ms: 1000 },
    { attempts: 3, jitter: 0.5, ms: 2000 },
    { attempts: 4, jitter: 0.5, ms: 4000 },
    { attempts: 10, jitter: 0.5, ms: 30_000 },
    { attempts: 3, jitter: 0, ms: 0 },
    { attempts: 5000, jitter: 0.5, ms: 30_000 },
  ])("waits $ms ms after attempt $attempts with jitter $jitter", ({ attempts, jitter, ms }) => {
    expect(delay(attempts, jitter)).toBe(ms);
  });

  it("stays within [0, min(max, base * 2^(attempts-1))) for any jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (attempts, jitter, baseMs, maxMs) => {
          const ms = delay(attempts, jitter, baseMs, maxMs);
          const ceiling = Math.min(maxMs, baseMs * 2 ** (attempts - 1));
          return Number.isInteger(ms) && ms >= 0 && ms <= ceiling && (ms < ceiling || ceiling === 0);
        },
      ),
    );
  });

  it("never shrinks the ceiling as attempts grow (jitter held fixed)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        (attempts) => delay(attempts + 1, 0.9) >= delay(attempts, 0.9),
      ),
    );
  });
});
