import { hostname } from "node:os";
import type { Logger } from "probot";
import { instrumentJobHandlers } from "../server/instrument-job-handlers.js";
import type { BackflowMetrics } from "../server/metrics.js";
import type { PgJobStore } from "../store/postgres/jobs-store.js";
import type { JobStore, Store } from "../store/store.js";
import type { GitHubBreakers } from "./github-breakers.js";
import type { WorkerJobs } from "./job-registry.js";
import { createPgWorker } from "./pg-worker.js";
import type { WorkerSettings } from "./read-worker-env.js";
import { createWorker, type Worker } from "./worker.js";

/** A lease owner unique to this process: host, pid and a label (the port, or `probot`). */
export function workerIdOf(label: string | number): string {
  return `${hostname()}:${process.pid}:${label}`;
}

/**
 * The production worker: the registry's handlers (counted in /metrics), the worker settings, and the
 * GitHub host's circuit breaker. Started by `npm start` and by `probot run`; not yet started on return.
 * A PostgreSQL store gets the graphile-worker based worker (pg-worker.ts), SQLite its own; both
 * honour the same settings and job policies.
 * @example const worker = createJobWorker({ store, jobs: workerJobsOf(JOB_REGISTRY, deps), settings: readWorkerEnv(process.env), ... }); worker.start()
 */
export function createJobWorker(input: {
  store: Pick<Store, "jobs"> & Partial<Pick<Store, "backend">>;
  jobs: WorkerJobs;
  settings: WorkerSettings;
  log: Logger;
  clock: () => Date;
  workerId: string;
  metrics?: BackflowMetrics;
  breakers?: GitHubBreakers;
}): Worker {
  const { settings, metrics, store } = input;
  const options = {
    handlers: metrics ? instrumentJobHandlers(input.jobs.handlers, metrics) : input.jobs.handlers,
    kinds: input.jobs.kinds,
    workerId: input.workerId,
    concurrency: settings.concurrency,
    groupConcurrency: settings.groupConcurrency,
    leaseMs: settings.leaseMs,
    shutdownGraceMs: settings.shutdownGraceMs,
    clock: input.clock,
    log: input.log.child({ name: "worker" }),
    ...(input.breakers && { github: input.breakers.gate(settings.githubHost) }),
    ...(metrics && {
      onOutcome: (kind: string, outcome: string) => metrics.jobOutcomes.inc({ kind, outcome }),
    }),
  };
  if (store.backend === "postgres") {
    if (!isPgJobStore(store.jobs)) throw new Error("a PostgreSQL store must carry the PostgreSQL job queue");
    return createPgWorker({ ...options, store: { jobs: store.jobs } });
  }
  return createWorker({ ...options, store });
}

function isPgJobStore(jobs: JobStore): jobs is PgJobStore {
  return "recoverStale" in jobs && "enqueueWith" in jobs && "db" in jobs;
}
