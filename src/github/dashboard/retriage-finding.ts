import { GitHubWriteError } from "../../core/errors.js";
import { findingKeyOf } from "../../core/triage/triage-signal.js";
import type { RepoTarget } from "../app-deps.js";
import { type ActResult, actOnSignal } from "../drift/act-on-signal.js";
import { loadTriageContext } from "../drift/load-triage-context.js";
import { LEASE_TTL_MS } from "../lease-ttl.js";
import { leaseOwner, withLease } from "../with-lease.js";

/**
 * Judges a finding's latest signal again with the default branch as it is now (config, thresholds,
 * lineage, annotations), updating its drift issue. The signal's history point is stored once per
 * signal, so this adds no new observation. Undefined when no signal of the finding is stored.
 */
export async function retriageFinding(
  input: RepoTarget & {
    fingerprint: string;
  },
): Promise<ActResult | undefined> {
  const { deps, owner, repo, repoKey, fingerprint } = input;
  const [latest] = (await deps.store.signals.history({ repo: repoKey, fingerprint, limit: 1 })).slice(-1);
  if (!latest) return undefined;
  const delivery = await deps.store.signals.getDelivery({
    source: latest.source,
    deliveryId: latest.deliveryId,
  });
  const stored = delivery?.signals.find((s) => s.signalId === latest.signalId);
  if (!stored) return undefined;
  const api = { calls: 0 };
  const context = await loadTriageContext({ octokit: input.octokit, store: deps.store, owner, repo, api });
  const run = {
    octokit: input.octokit,
    deps,
    log: input.log,
    owner,
    repo,
    repoKey,
    context,
    api,
    commits: new Map(),
  };
  // Judged under the finding the box belongs to, even if today's config would key the signal elsewhere.
  const key = {
    ...findingKeyOf({
      signal: stored.signal,
      repo: repoKey,
      config: context.config,
      graph: context.graph,
      dbtProjects: context.dbtProjects,
    }),
    fingerprint,
  };
  const name = `finding:${repoKey}:${fingerprint}`;
  const outcome = await withLease(
    { store: deps.store, name, owner: leaseOwner("retriage"), clock: deps.clock, ttlMs: LEASE_TTL_MS },
    () => actOnSignal(run, stored.signal, key),
  );
  if (!outcome.acquired)
    throw new GitHubWriteError(`Another job holds ${name}; tick the box again in a minute.`);
  return outcome.value;
}
