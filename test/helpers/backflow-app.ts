import nock from "nock";
import type { Probot } from "probot";
import type { AppDeps } from "../../src/github/app-deps.js";
import { installationOctokits } from "../../src/github/jobs/installation-octokit.js";
import { WEBHOOK_JOBS } from "../../src/github/jobs/webhook-jobs.js";
import { createBackflowApp } from "../../src/index.js";
import { JOB_REGISTRY, workerJobsOf } from "../../src/jobs/job-registry.js";
import type { JobHandler } from "../../src/jobs/queue.js";
import { createWorker } from "../../src/jobs/worker.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { ClaimInput } from "../../src/store/store.js";
import { mockInstallationToken } from "./github-nock.js";
import { createTestProbot, silentLog, TEST_APP_ID } from "./probot.js";

const workers = new WeakMap<Probot, () => Promise<number>>();

/**
 * Backflow as production wires it, in a test Probot: the webhook handlers (which only queue jobs)
 * and a worker built from the job registry, authenticating as the event's installation through the
 * same Probot. `receive` (test/helpers/payloads.ts) runs the queued jobs after each delivery.
 */
export async function createBackflowProbot(deps: AppDeps): Promise<Probot> {
  let loaded: Probot | undefined;
  const octokitFor = installationOctokits(
    async () => {
      if (!loaded) throw new Error("the test Probot is not loaded yet");
      return loaded;
    },
    { dryRun: deps.dryRun ?? false, log: silentLog() },
  );
  const probot = await createTestProbot({ app: createBackflowApp({ installations: octokitFor, ...deps }) });
  loaded = probot;
  const { handlers } = workerJobsOf(JOB_REGISTRY, { deps, log: silentLog(), octokitFor });
  workers.set(probot, drainer(deps, handlers));
  return probot;
}

/** The kinds webhooks queue; jobs those queue in turn (triage, proposals, dashboard) are the test's to run. */
const WEBHOOK_KINDS = WEBHOOK_JOBS.map(([kind]) => kind.kind);

/** Runs every due webhook job once, then rethrows the first job error (as the webhook did when work ran in it). */
function drainer(deps: AppDeps, handlers: Readonly<Record<string, JobHandler>>): () => Promise<number> {
  return async () => {
    const errors: unknown[] = [];
    const recording = Object.fromEntries(
      Object.entries(handlers).map(([kind, handler]): [string, JobHandler] => [
        kind,
        async (payload, ctx) => {
          try {
            await handler(payload, ctx);
          } catch (error) {
            errors.push(error);
            throw error;
          }
        },
      ]),
    );
    const jobs = deps.store.jobs;
    const claim = (input: ClaimInput) => jobs.claim({ ...input, kinds: WEBHOOK_KINDS });
    const store = { jobs: Object.assign(Object.create(jobs) as typeof jobs, { claim }) };
    const worker = createWorker({
      store,
      handlers: recording,
      workerId: "test-worker",
      clock: deps.clock,
    });
    const ran = await worker.drain();
    if (errors.length > 0) throw errors[0];
    return ran;
  };
}

/** Runs the jobs `probot`'s webhooks queued (none when it is not a Backflow test Probot); returns how many ran. */
export async function runQueuedJobs(probot: Probot): Promise<number> {
  return (await workers.get(probot)?.()) ?? 0;
}

/**
 * Backflow loaded into a test Probot over a fresh in-memory store, with the installation token
 * answered: what a handler test needs before each test.
 * @example beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
 */
export async function startBackflowApp(
  clock: () => Date,
  options: { dryRun?: boolean } = {},
): Promise<{ store: SqliteStore; probot: Probot }> {
  const store = openSqliteStore(":memory:");
  const probot = await createBackflowProbot({ store, clock, appId: TEST_APP_ID, ...options });
  mockInstallationToken();
  return { store, probot };
}

/** After each handler test: forget every interceptor and close the store. */
export async function stopBackflowApp(store: { close(): Promise<void> }): Promise<void> {
  nock.cleanAll();
  await store.close();
}
