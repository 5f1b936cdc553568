import { RequestError } from "@octokit/request-error";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "../../src/core/errors.js";
import { classifyJobError } from "../../src/jobs/classify-job-error.js";
import { JobPayloadError, PermanentJobError } from "../../src/jobs/job-errors.js";

const request = { method: "GET" as const, url: "https://api.github.com/repos/acme/shop", headers: {} };
const answered = (status: number, headers: Record<string, string> = {}, data: unknown = { message: "x" }) =>
  new RequestError(`status ${status}`, status, {
    request,
    response: { status, url: request.url, headers, data },
  });
// What @octokit/request throws when fetch gets no answer: status 500, the request, no response.
const unanswered = () => {
  const error = new RequestError("connect ECONNREFUSED 140.82.112.6:443", 500, { request });
  error.cause = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
  return error;
};

describe("classifyJobError", () => {
  it.each([
    {
      name: "a fetch that got no answer (reported as 500)",
      error: unanswered(),
      expected: { type: "network" },
    },
    {
      name: "a raw socket error",
      error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      expected: { type: "network" },
    },
    {
      name: "a 502 answer",
      error: answered(502),
      expected: { type: "http", status: 502, rateLimited: false },
    },
    {
      name: "a 500 answer",
      error: answered(500),
      expected: { type: "http", status: 500, rateLimited: false },
    },
    {
      name: "a 422 answer",
      error: answered(422),
      expected: { type: "http", status: 422, rateLimited: false },
    },
    {
      name: "a 404 answer",
      error: answered(404),
      expected: { type: "http", status: 404, rateLimited: false },
    },
    {
      name: "a 403 without rate-limit headers",
      error: answered(403),
      expected: { type: "http", status: 403, rateLimited: false },
    },
    {
      name: "a secondary rate limit with retry-after",
      error: answered(403, { "retry-after": "60" }),
      expected: { type: "http", status: 403, rateLimited: true, retryAfterMs: 60_000 },
    },
    {
      name: "a secondary rate limit named only by its documentation_url",
      error: answered(
        403,
        {},
        {
          message: "slow down",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        },
      ),
      expected: { type: "http", status: 403, rateLimited: true },
    },
    {
      name: "an exhausted primary quota",
      error: answered(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1750000000" }),
      expected: { type: "http", status: 403, rateLimited: true, rateLimitResetAt: 1_750_000_000_000 },
    },
    {
      name: "a 429",
      error: answered(429, { "retry-after": "3" }),
      expected: { type: "http", status: 429, rateLimited: true, retryAfterMs: 3000 },
    },
    {
      name: "an invalid payload",
      error: new JobPayloadError("payload invalid at repo"),
      expected: { type: "permanent" },
    },
    {
      name: "a handler's permanent refusal",
      error: new PermanentJobError("no finding"),
      expected: { type: "permanent" },
    },
    {
      name: "an invalid repository config",
      error: new ConfigError(".github/backflow.yml", [{ path: "dialect", message: "bad" }]),
      expected: { type: "permanent" },
    },
    { name: "a zod error", error: z.string().safeParse(1).error, expected: { type: "permanent" } },
    {
      name: "a bug (TypeError)",
      error: new TypeError("cannot read properties of undefined"),
      expected: { type: "unknown" },
    },
    {
      name: "a 502 wrapped as a cause",
      error: new Error("loading the repository failed", { cause: answered(502) }),
      expected: { type: "http", status: 502 },
    },
  ])("$name → $expected.type", ({ error, expected }) => {
    expect(classifyJobError(error)).toMatchObject(expected);
  });

  it("never reads the message: a plain error saying 'rate limit' or '404' is unknown", () => {
    expect(classifyJobError(new Error("secondary rate limit 404 ECONNREFUSED"))).toMatchObject({
      type: "unknown",
    });
  });
});
