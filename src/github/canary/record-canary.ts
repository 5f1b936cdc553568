import { canaryIdOf, watchedOfImpact } from "../../core/canary/canary-record.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { isRelevantPath } from "../../core/impact/relevant-path.js";
import { durationMs } from "../../core/triage/hysteresis.js";
import type { CanaryRecord } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { type ApiCounter, analyzeSnapshots, loadSnapshots } from "../impact/load-snapshots.js";
import { loadRepoConfig } from "../load-repo-config.js";
import { createRepoReader } from "../repo-reader.js";
import { enqueueCanaryWindowEnd } from "./canary-window-end-job.js";

export type RecordCanaryResult =
  | { readonly action: "recorded" | "already-recorded"; readonly watched: number; readonly windowEnds: Date }
  | { readonly action: "skipped"; readonly reason: string };

/**
 * Records the post-merge canary of a merged pull request: the impact of the merge itself (its first
 * parent → the merge commit, so a squash, a merge commit and a redelivery all give the same columns,
 * whatever the impact check stored for older heads), the columns and tables that impact names,
 * and a `canary-window-end` job at merge + `canary.window`. Config is read at the merge commit;
 * `canary: off` there records nothing. Idempotent: one canary per repository and pull request.
 */
export async function recordCanary(
  input: RepoTarget & {
    pr: { number: number; mergeSha: string; mergedAt: string; author?: string };
    signal?: AbortSignal;
  },
): Promise<RecordCanaryResult> {
  const { octokit, deps, owner, repo, repoKey, pr, log } = input;
  const id = canaryIdOf(repoKey, pr.number);
  const known = await deps.store.canaries.get(id);
  if (known) {
    // A run that stored the canary may have failed before queueing its end: queue it again (keyed).
    if (!known.ended)
      await enqueueCanaryWindowEnd({
        store: deps.store,
        repo: `${owner}/${repo}`,
        id,
        runAt: known.windowEnds,
        now: deps.clock(),
      });
    return { action: "already-recorded", watched: known.watched.length, windowEnds: known.windowEnds };
  }
  const api: ApiCounter = { calls: 1 };
  const { data: commit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: pr.mergeSha });
  // A rebase merge of several commits: the last one's parent is only its own predecessor, so the
  // canary watches what that last commit changed (the others are not distinguishable afterwards).
  const base = commit.parents[0]?.sha;
  if (!base) return { action: "skipped", reason: "the merge commit has no parent" };
  const reader = createRepoReader({ octokit, owner, repo });
  // Most merges touch no SQL, YAML or contract: one comparison decides that before any tree is read.
  api.calls++;
  const touched = (await reader.compare(base, pr.mergeSha)).filter(
    (f) => isRelevantPath(f.path) || (f.previousPath !== undefined && isRelevantPath(f.previousPath)),
  );
  if (touched.length === 0) return { action: "skipped", reason: "the merge changed no pipeline file" };
  const snapshots = await loadSnapshots({
    reader,
    store: deps.store,
    baseSha: base,
    headSha: pr.mergeSha,
    api,
  });
  // The repository's own file at the merge, with what it extends (or its organisation's file).
  const configInput = {
    octokit,
    owner,
    repo,
    ref: pr.mergeSha,
    ownText: snapshots.head.files.get(CONFIG_PATH) ?? null,
    reader,
  };
  const loaded = await loadRepoConfig(configInput);
  if (!loaded.ok) return { action: "skipped", reason: "the config at the merge is invalid" };
  const { config } = loaded;
  if (config.canary === "off") return { action: "skipped", reason: "canary: off" };
  const analyzed = await analyzeSnapshots({ store: deps.store, snapshots, config, signal: input.signal });
  const { report } = analyzed;
  if (report.changes.length === 0 && report.contractChanges.length === 0 && report.rowLevel.length === 0)
    return { action: "skipped", reason: "the merge changed no model or contract" };
  // An `expects:` block decides its own columns (verdict and rollback); the canary watches the rest.
  const expected = (await deps.store.expectations.list({ repo: repoKey, pr: pr.number })).map((x) => x.spec);
  const watched = watchedOfImpact(report).filter(
    (w) =>
      !expected.some(
        (x) =>
          x.tableId.toLowerCase() === w.tableId.toLowerCase() &&
          (x.column === undefined || x.column.toLowerCase() === w.column?.toLowerCase()),
      ),
  );
  if (watched.length === 0)
    return { action: "skipped", reason: "the impact names no column that an expects: block leaves to watch" };
  const mergedAt = new Date(pr.mergedAt);
  const now = deps.clock();
  const record: CanaryRecord = {
    id,
    repo: repoKey,
    pr: pr.number,
    mergeSha: pr.mergeSha,
    mergedAt,
    author: pr.author ?? null,
    windowEnds: new Date(mergedAt.getTime() + durationMs(config.canary.window)),
    watched,
    series: [],
    state: "watching",
    ended: false,
    summary: null,
    evidence: [],
    createdAt: now,
    updatedAt: now,
  };
  const added = await deps.store.canaries.add(record);
  await enqueueCanaryWindowEnd({
    store: deps.store,
    repo: `${owner}/${repo}`,
    id,
    runAt: record.windowEnds,
    now,
  });
  log.info(
    {
      repo: repoKey,
      pr: pr.number,
      watched: watched.length,
      windowEnds: record.windowEnds,
      apiCalls: api.calls,
    },
    added ? "recorded post-merge canary" : "post-merge canary already recorded",
  );
  return {
    action: added ? "recorded" : "already-recorded",
    watched: watched.length,
    windowEnds: record.windowEnds,
  };
}
