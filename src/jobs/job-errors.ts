import { BackflowError } from "../core/errors.js";

/**
 * A job failure that retrying cannot fix (bad payload, unknown kind, a permanent refusal):
 * the worker dead-letters the job at once instead of backing off.
 */
export class PermanentJobError extends BackflowError {
  override readonly name: string = "PermanentJobError";
}

/** The job's payload does not match its kind's schema; `path` is the zod path of the first problem. */
export class JobPayloadError extends PermanentJobError {
  override readonly name = "JobPayloadError";
}
