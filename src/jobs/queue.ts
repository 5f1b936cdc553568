import type { z } from "zod";
import type { JobRecord, Store } from "../store/store.js";
import { JobPayloadError } from "./job-errors.js";

/** A job kind: its name in the queue and the schema its payload must satisfy. */
export type JobKind<S extends z.ZodType = z.ZodType> = { readonly kind: string; readonly schema: S };

/** What a handler receives besides its payload. */
export type JobContext = {
  readonly job: JobRecord;
  /** Aborted when the worker loses the job's lease (another worker may now run it) or is stopping hard. */
  readonly signal: AbortSignal;
};

/** Runs one job; throwing retries it with backoff, throwing a PermanentJobError dead-letters it. */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/**
 * Declares a job kind once; `enqueueJob` and `handleJob` then share its payload type.
 * @example export const syncCheckRun = defineJobKind("check-run.sync", z.object({ repo: z.string(), sha: z.string() }));
 */
export function defineJobKind<S extends z.ZodType>(kind: string, schema: S): JobKind<S> {
  return { kind, schema };
}

function parsePayload<S extends z.ZodType>(jobKind: JobKind<S>, payload: unknown): z.infer<S> {
  const result = jobKind.schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") || "(root)";
  throw new JobPayloadError(
    `payload of job kind "${jobKind.kind}" is invalid at ${path}: ${issue?.message ?? "does not match the schema"}`,
  );
}

/** A handler that validates the payload against the kind's schema before `handle` sees it. */
export function handleJob<S extends z.ZodType>(
  jobKind: JobKind<S>,
  handle: (payload: z.infer<S>, ctx: JobContext) => Promise<void>,
): [string, JobHandler] {
  return [jobKind.kind, async (payload, ctx) => handle(parsePayload(jobKind, payload), ctx)];
}

/**
 * Adds a job to the durable queue. With an idempotency key, a second call returns the first job
 * (`created: false`), so redelivered webhooks enqueue work once. A typed kind validates the payload now.
 */
export async function enqueueJob<S extends z.ZodType>(
  store: Pick<Store, "jobs">,
  input: {
    readonly kind: JobKind<S> | string;
    readonly payload: z.infer<S>;
    readonly idempotencyKey?: string;
    readonly runAt?: Date;
    readonly maxAttempts?: number;
    readonly now?: Date;
  },
): Promise<{ job: JobRecord; created: boolean }> {
  const payload = typeof input.kind === "string" ? input.payload : parsePayload(input.kind, input.payload);
  return store.jobs.enqueue({
    kind: typeof input.kind === "string" ? input.kind : input.kind.kind,
    payload,
    idempotencyKey: input.idempotencyKey,
    runAt: input.runAt,
    maxAttempts: input.maxAttempts,
    now: input.now ?? new Date(),
  });
}
