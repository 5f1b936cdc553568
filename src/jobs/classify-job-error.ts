import { ZodError } from "zod";
import { ConfigError } from "../core/errors.js";
import type { JobFailure } from "../core/jobs/decide-retry.js";
import { describeRequestFailure } from "../github/request-errors.js";
import { PermanentJobError } from "./job-errors.js";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A failed attempt's error as a JobFailure, by the error's type: PermanentJobError (and its
 * JobPayloadError), ConfigError and ZodError are permanent; Octokit request errors are network
 * failures or HTTP answers with their rate-limit headers (see describeRequestFailure); anything
 * else is unknown and retried. A request error wrapped as another error's `cause` counts as itself.
 */
export function classifyJobError(error: unknown): JobFailure {
  if (error instanceof PermanentJobError || error instanceof ConfigError || error instanceof ZodError) {
    return { type: "permanent", message: messageOf(error) };
  }
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth += 1) {
    const request = describeRequestFailure(current);
    if (request) return request.type === "network" ? request : { ...request, message: messageOf(error) };
    current =
      typeof current === "object" && current !== null && "cause" in current ? current.cause : undefined;
  }
  return { type: "unknown", message: messageOf(error) };
}
