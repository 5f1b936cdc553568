/** What a dry run must and must not do, as tests observe it: the writes that reached nock and the log. */
import { pino } from "pino";
import { expect } from "vitest";
import { checkRequest, takeRecordedRequests } from "./openapi-conformance.js";

/**
 * Requests other than reads (the installation token request is authentication) that reached nock,
 * as "METHOD /path"; every recorded request must conform to GitHub's OpenAPI description.
 */
export function writesSent(): string[] {
  const requests = takeRecordedRequests();
  expect(requests.flatMap(checkRequest)).toEqual([]);
  return requests
    .filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"))
    .map((r) => `${r.method} ${r.path}`);
}

/** A pino logger at info whose lines are kept, parsed, in `lines`. */
export function capturingLog() {
  const lines: Array<{ msg: string; payload?: Record<string, unknown> }> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, log };
}
