import type { Logger, ProbotOctokit } from "probot";
import { ConfigError, GitHubWriteError } from "../../core/errors.js";
import { repoKeyOf } from "../../core/github/repo-key.js";
import { findingKeyOf } from "../../core/triage/triage-signal.js";
import type { StoredSignal } from "../../store/store.js";
import type { AppDeps } from "../app-deps.js";
import { watchCanaries } from "../canary/watch-canaries.js";
import { enqueueDashboardRefresh } from "../dashboard/refresh-dashboard-job.js";
import { checkExpectationsForSignal } from "../expectations/check-expectations-for-signal.js";
import { LEASE_TTL_MS } from "../lease-ttl.js";
import type { ApiCounter } from "../repo-context/api-counter.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { type ActResult, actOnSignal } from "./act-on-signal.js";
import { type LoadedTriageContext, loadTriageContext } from "./load-triage-context.js";
import type { TriageRun } from "./triage-run.js";

export type TriageDeliveryResult = {
  readonly state: "missing" | "already-processed" | "processed";
  readonly results: readonly ActResult[];
  readonly apiCalls: number;
};

async function triageOne(run: TriageRun, stored: StoredSignal, signal?: AbortSignal): Promise<ActResult> {
  // Computed once per signal: the lease name, the history read and the judgement all use it.
  const key = findingKeyOf({
    signal: stored.signal,
    repo: stored.repo,
    config: run.context.config,
    graph: run.context.graph,
    dbtProjects: run.context.dbtProjects,
  });
  const name = `finding:${stored.repo}:${key.fingerprint}`;
  // Serialized per fingerprint: concurrent signals about one problem see each other's writes.
  const outcome = await withLease(
    {
      store: run.deps.store,
      name,
      owner: leaseOwner("triage"),
      clock: run.deps.clock,
      ttlMs: LEASE_TTL_MS,
      waitMs: 60_000,
    },
    () => actOnSignal(run, stored.signal, key, signal),
  );
  if (!outcome.acquired) {
    throw new GitHubWriteError(`Another job has held ${name} for too long; the triage job will be retried.`);
  }
  return outcome.value;
}

/**
 * Triages one stored delivery: loads the repository's config and lineage at the default branch,
 * judges each signal under its fingerprint's lease, writes the drift issues, then marks the delivery
 * processed. Safe to run again: history points are stored once per signal and issues found by marker.
 */
export async function triageDelivery(input: {
  octokit: ProbotOctokit;
  deps: AppDeps;
  log: Logger;
  source: string;
  deliveryId: string;
  repo: string;
  /** The job's abort signal: loading stops waiting, and no signal is acted on once it fired. */
  signal?: AbortSignal;
}): Promise<TriageDeliveryResult> {
  const { deps, log, source, deliveryId } = input;
  const stored = await deps.store.signals.getDelivery({ source, deliveryId });
  if (!stored) return { state: "missing", results: [], apiCalls: 0 };
  if (stored.delivery.state === "processed") return { state: "already-processed", results: [], apiCalls: 0 };
  const api: ApiCounter = { calls: 0 };
  const [owner = "", repo = ""] = stored.delivery.repo.split("/");
  const repoKey = repoKeyOf(owner, repo);
  const results: ActResult[] = [];
  if (stored.signals.length > 0) {
    let context: LoadedTriageContext;
    try {
      context = await loadTriageContext({
        octokit: input.octokit,
        store: deps.store,
        owner,
        repo,
        api,
        ...(input.signal ? { signal: input.signal } : {}),
      });
    } catch (error) {
      if (error instanceof ConfigError) {
        await deps.store.audit.record({
          at: deps.clock(),
          actor: "backflow",
          action: "drift.config-invalid",
          repo: stored.delivery.repo,
          target: deliveryId,
          detail: { problems: error.problems },
        });
      }
      throw error;
    }
    const run: TriageRun = {
      octokit: input.octokit,
      deps,
      log,
      owner,
      repo,
      repoKey,
      context,
      api,
      commits: new Map(),
    };
    for (const signal of stored.signals) {
      input.signal?.throwIfAborted();
      results.push(await triageOne(run, signal, input.signal));
    }
    input.signal?.throwIfAborted();
    // Expectations of merged pull requests read these findings' evaluations (one check per fingerprint).
    for (const fingerprint of new Set(results.map((r) => r.fingerprint)))
      await checkExpectationsForSignal({
        octokit: input.octokit,
        deps,
        log,
        owner,
        repo,
        repoKey,
        fingerprint,
        config: context.config,
      });
    // Post-merge canaries watching these signals' columns are judged again.
    await watchCanaries({
      ...run,
      triaged: stored.signals.map((s, i) => ({
        signal: s.signal,
        fingerprint: results[i]?.fingerprint ?? "",
      })),
      config: context.config,
      graph: context.graph,
      dbtProjects: context.dbtProjects,
    });
    await enqueueDashboardRefresh({ store: deps.store, repo: stored.delivery.repo, now: deps.clock() });
  }
  await deps.store.signals.markProcessed({
    source,
    deliveryId,
    now: deps.clock(),
    fingerprints: results.map((r) => ({ signalId: r.signalId, fingerprint: r.fingerprint })),
  });
  log.info(
    {
      repo: stored.delivery.repo,
      deliveryId,
      apiCalls: api.calls,
      decisions: results.map((r) => `${r.decision}:${r.action}`),
    },
    "triaged signal delivery",
  );
  return { state: "processed", results, apiCalls: api.calls };
}
