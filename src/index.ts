import type { ApplicationFunction } from "probot";
import type { AppDeps } from "./github/app-deps.js";
import { observeRequests } from "./github/backflow-octokit.js";
import { handlePullRequestClosed } from "./github/expectations/handle-pull-request-closed.js";
import { handleCheckRunRequestedAction } from "./github/handlers/check-run.js";
import {
  handleInstallationChange,
  handleInstallationCreated,
  INSTALLATION_EVENTS,
  INSTALLED_REPOSITORY_EVENTS,
} from "./github/handlers/installation-created.js";
import { handleIssueComment } from "./github/handlers/issue-comment.js";
import { handleIssueStateChange, ISSUE_STATE_EVENTS } from "./github/handlers/issues-closed.js";
import { handleIssuesEdited } from "./github/handlers/issues-edited.js";
import { handlePullRequest, PULL_REQUEST_EVENTS } from "./github/handlers/pull-request.js";
import { handlePush } from "./github/handlers/push.js";
import { installationOctokits } from "./github/jobs/installation-octokit.js";
import { closeSharedAnalysisPool } from "./jobs/analysis-pool.js";
import { githubBreakersFor } from "./jobs/github-breakers.js";
import { JOB_REGISTRY, type JobDeps, workerJobsOf } from "./jobs/job-registry.js";
import { schedulePrune } from "./jobs/prune-store-job.js";
import { readWorkerEnv } from "./jobs/read-worker-env.js";
import { createJobWorker, workerIdOf } from "./jobs/start-job-worker.js";
import { createStoreMetrics } from "./server/metrics.js";
import { createOpsHandler } from "./server/ops-routes.js";
import { quietProbeLog } from "./server/quiet-probe-log.js";
import { readAppSettings } from "./server/read-server-env.js";
import { openStore } from "./store/open-store.js";

export type { AppDeps } from "./github/app-deps.js";

/**
 * The Backflow Probot app with its dependencies injected: one handler per event. Each validates its
 * event (a 400 naming the zod path when the payload is not what the event promises), decides whether
 * there is work, and queues one keyed job; the work itself (reading the repository, writing to
 * GitHub) runs in the job worker.
 * @example await probot.load(createBackflowApp({ store, clock: () => new Date() }))
 */
export function createBackflowApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    app.onAny(async (context) => {
      deps.metrics?.webhooksReceived.inc({ event: context.name });
    });
    app.on([...PULL_REQUEST_EVENTS], handlePullRequest(deps));
    app.on("push", handlePush(deps));
    app.on("check_run.requested_action", handleCheckRunRequestedAction(deps));
    app.on([...INSTALLATION_EVENTS], handleInstallationChange(deps.installations));
    app.on([...INSTALLED_REPOSITORY_EVENTS], handleInstallationCreated(deps));
    app.on("issue_comment.created", handleIssueComment(deps));
    app.on("pull_request.closed", handlePullRequestClosed(deps));
    app.on("issues.edited", handleIssuesEdited(deps));
    app.on([...ISSUE_STATE_EVENTS], handleIssueStateChange(deps));
  };
}

/**
 * The app for Probot's own runner (`probot run ./dist/index.js`): opens the store named by
 * DATABASE_URL, adds Backflow's health and metrics routes to Probot's server (probes logged at debug),
 * schedules the first prune and starts the job worker with every kind of the job registry (SIGTERM
 * and SIGINT drain it, then close the analysis pool and the store). BACKFLOW_DRY_RUN guards the job
 * Octokits as `npm start` does.
 * `npm start` uses src/main.ts instead, which also checks credentials and serves the signal API.
 */
export const backflowApp: ApplicationFunction = async (app, options) => {
  const settings = readAppSettings(process.env);
  const workerSettings = readWorkerEnv(process.env);
  const store = await openStore(settings.databaseUrl);
  const clock = () => new Date();
  const breakers = githubBreakersFor({
    settings: workerSettings,
    clock,
    log: app.log.child({ name: "github-breaker" }),
  });
  const metrics = createStoreMetrics(store, { clock, breakers: breakers.statuses });
  // The dry-run guard backs up the writer layer: no request but a read leaves a job's Octokit.
  const installations = installationOctokits(async () => app, {
    dryRun: settings.app.dryRun,
    log: app.log,
  });
  const deps = { store, metrics, clock, installations, ...settings.app };
  await createBackflowApp(deps)(app, options);
  const ops = createOpsHandler({ store, metrics });
  options.addHandler((req, res) => {
    quietProbeLog(req, res);
    return ops(req, res);
  });
  // Probot's runner builds its own Octokit class; the job Octokits report to the breaker and metrics here.
  const octokitFor: JobDeps["octokitFor"] = async (...args) => {
    const octokit = await installations(...args);
    observeRequests(metrics, breakers)(octokit);
    return octokit;
  };
  await schedulePrune({
    store,
    retentionDays: settings.retentionDays,
    auditRetentionDays: workerSettings.auditRetentionDays,
    now: clock(),
  });
  const worker = createJobWorker({
    store,
    jobs: workerJobsOf(JOB_REGISTRY, { deps, log: app.log, octokitFor }),
    settings: workerSettings,
    log: app.log,
    clock,
    workerId: workerIdOf("probot"),
    metrics,
    breakers,
  });
  worker.start();
  const stop = async (signal: string) => {
    app.log.info({ signal }, "stopping the job worker");
    await worker.stop();
    await closeSharedAnalysisPool();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
};
