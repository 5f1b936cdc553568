import type { z } from "zod";
import { canaryWindowEndHandler } from "../github/canary/canary-window-end-handler.js";
import { canaryWindowEndJob } from "../github/canary/canary-window-end-job.js";
import { refreshDashboardHandler } from "../github/dashboard/refresh-dashboard-handler.js";
import { refreshDashboardJob } from "../github/dashboard/refresh-dashboard-job.js";
import { autoMergeRevertHandler } from "../github/expectations/auto-merge-revert-handler.js";
import { autoMergeRevertJob } from "../github/expectations/auto-merge-revert-job.js";
import { expectationDeadlineHandler } from "../github/expectations/expectation-deadline-handler.js";
import { expectationDeadlineJob } from "../github/expectations/expectation-deadline-job.js";
import type { JobHandlerInput } from "../github/jobs/installation-octokit.js";
import { triageDeliveryHandler } from "../github/jobs/triage-delivery-handler.js";
import { WEBHOOK_JOBS } from "../github/jobs/webhook-jobs.js";
import { openProposalHandler } from "../github/proposals/open-proposal-handler.js";
import { openProposalJob } from "../github/proposals/open-proposal-job.js";
import { reviewHandler } from "../github/review/review-handler.js";
import { reviewJob } from "../github/review/review-job.js";
import { triageDeliveryJob } from "../server/signals/triage-delivery-job.js";
import { pruneStoreHandler, pruneStoreJob } from "./prune-store-job.js";
import { type JobContext, type JobHandler, type JobKind, parsePayload } from "./queue.js";

/** What a job handler is built with, once per process: the app's dependencies, a logger, installation Octokits. */
export type JobDeps = JobHandlerInput & {
  /** The app's bot login (`<slug>[bot]`), when known: proposals never force-overwrite a person's commit. */
  readonly botLogin?: string;
};

/** One registered job kind: its name, payload schema and policy (on `kind`), and how to build its handler. */
export type JobDefinition = {
  readonly kind: JobKind;
  /** Builds the handler from the process's dependencies; the registry validates payloads before it runs. */
  readonly create: (deps: JobDeps) => (payload: unknown, ctx: JobContext) => Promise<void>;
};

/**
 * Pairs a kind with its handler factory. The factory may return a handler of the parsed payload
 * or an existing `handleJob` pair; either way the payload it sees matches the kind's schema.
 * @example registerJob(openProposalJob, (deps) => async (payload, { signal }) => openProposal({ ...deps, ...payload, signal }))
 */
export function registerJob<S extends z.ZodType>(
  kind: JobKind<S>,
  create: (
    deps: JobDeps,
  ) => ((payload: z.infer<S>, ctx: JobContext) => Promise<void>) | readonly [string, JobHandler],
): JobDefinition {
  return {
    kind,
    create: (deps) => {
      const built = create(deps);
      if (typeof built === "function") return async (payload, ctx) => built(parsePayload(kind, payload), ctx);
      if (built[0] !== kind.kind) {
        throw new Error(`job kind "${kind.kind}" was registered with the handler of "${built[0]}"`);
      }
      return built[1];
    },
  };
}

/**
 * Every job kind Backflow runs. `npm start`, `probot run` and the tests build their workers from
 * this list, so a kind missing here is a kind no worker runs. Policies (retry, concurrency, whether
 * the kind needs GitHub) are declared with each kind's `defineJobKind`.
 */
export const JOB_REGISTRY: readonly JobDefinition[] = [
  registerJob(openProposalJob, (deps) => openProposalHandler(deps)),
  registerJob(triageDeliveryJob, (deps) => triageDeliveryHandler(deps)),
  registerJob(refreshDashboardJob, (deps) => refreshDashboardHandler(deps)),
  registerJob(autoMergeRevertJob, (deps) => autoMergeRevertHandler(deps)),
  registerJob(expectationDeadlineJob, (deps) => expectationDeadlineHandler(deps)),
  registerJob(canaryWindowEndJob, (deps) => canaryWindowEndHandler(deps)),
  registerJob(reviewJob, (deps) => reviewHandler(deps)),
  // The work each webhook queues: impact checks, acknowledgements, config validation, merged pull
  // requests, comment commands, drift issue state changes and dashboard boxes.
  ...WEBHOOK_JOBS.map(([kind, handler]) => registerJob(kind as JobKind, handler)),
  registerJob(pruneStoreJob, (deps) =>
    pruneStoreHandler({ store: deps.deps.store, clock: deps.deps.clock, log: deps.log }),
  ),
];

/** The worker's view of a registry: handlers by kind name, and each kind's policy. */
export type WorkerJobs = {
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly kinds: Readonly<Record<string, JobKind>>;
};

/**
 * Installation Octokits that stop at `signal`: once a job's lease is lost (or shutdown's deadline
 * passes) no request of that job leaves the process, and requests in flight are aborted, so a worker
 * that lost its job cannot write over the new owner's work.
 */
export function fencedOctokitFor(
  octokitFor: JobDeps["octokitFor"],
  signal: AbortSignal,
): JobDeps["octokitFor"] {
  return async (...args) => {
    signal.throwIfAborted();
    const octokit = await octokitFor(...args);
    octokit.hook.before("request", (options) => {
      signal.throwIfAborted();
      const request = options.request as Record<string, unknown> | undefined;
      Object.assign(options, { request: { ...request, signal } });
    });
    return octokit;
  };
}

/**
 * Builds every handler of `registry` with `deps` (each kind logs under its own name); each job's
 * handler gets Octokits fenced by its abort signal. Throws when two definitions share a kind name.
 * @example createWorker({ store, workerId, ...workerJobsOf(JOB_REGISTRY, deps) })
 */
export function workerJobsOf(registry: readonly JobDefinition[], deps: JobDeps): WorkerJobs {
  const handlers: Record<string, JobHandler> = {};
  const kinds: Record<string, JobKind> = {};
  for (const definition of registry) {
    const name = definition.kind.kind;
    if (kinds[name]) throw new Error(`job kind "${name}" is registered twice`);
    kinds[name] = definition.kind;
    const jobDeps = { ...deps, log: deps.log.child({ name: `job:${name}` }) };
    definition.create(jobDeps); // fails now, not at the first job, when the definition is wrong
    handlers[name] = (payload, ctx) =>
      definition.create({ ...jobDeps, octokitFor: fencedOctokitFor(deps.octokitFor, ctx.signal) })(
        payload,
        ctx,
      );
  }
  return { handlers, kinds };
}
