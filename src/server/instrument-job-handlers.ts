import type { JobHandler } from "../jobs/queue.js";
import type { BackflowMetrics } from "./metrics.js";

/** Wraps each job handler so /metrics counts processed jobs and failed attempts by kind. */
export function instrumentJobHandlers(
  handlers: Readonly<Record<string, JobHandler>>,
  metrics: BackflowMetrics,
): Record<string, JobHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([kind, handler]) => [
      kind,
      async (payload: unknown, ctx: Parameters<JobHandler>[1]) => {
        try {
          await handler(payload, ctx);
          metrics.jobsProcessed.inc({ kind });
        } catch (error) {
          metrics.jobsFailed.inc({ kind });
          throw error;
        }
      },
    ]),
  );
}
