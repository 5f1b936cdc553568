import type { ProbotOctokit } from "probot";
import { parseConfig } from "../../core/config/parse-config.js";
import { type BackflowConfig, CONFIG_PATH } from "../../core/config/schema.js";
import type { RepoContext } from "../../core/repo/repo-context.js";
import { sharedAnalysisPool } from "../../jobs/analysis-pool.js";
import type { Store } from "../../store/store.js";
import { effectiveConfigAt } from "../load-repo-config.js";
import { createRepoReader, type RepoReader } from "../repo-reader.js";
import type { ApiCounter } from "./api-counter.js";
import { type CommitFiles, loadCommitFiles, saveAnalyses, withCatalog } from "./commit-files.js";
import { untilAborted } from "./until-aborted.js";

/** A repository context with the commit it was built from and that commit's files. */
export type LoadedRepoContext = RepoContext & {
  /** The commit the lineage was built from (permalinks point at it). */
  readonly sha: string;
  readonly commit: CommitFiles;
};

/**
 * The context of files already loaded: config parsed (throws ConfigError when invalid), lineage built
 * on the analysis pool's worker thread (off the event loop that serves HTTP), new analyses and dbt
 * YAML reads stored for the next run. `signal` stops the wait and terminates the worker's task.
 */
export async function buildRepoContext(input: {
  store: Pick<Store, "parseCache">;
  commit: CommitFiles;
  /** The effective config when the caller resolved it (shared bases included); else the commit's own file. */
  config?: BackflowConfig;
  signal?: AbortSignal;
}): Promise<LoadedRepoContext> {
  const { commit, signal } = input;
  const config = input.config ?? parseConfig(commit.files.get(CONFIG_PATH), CONFIG_PATH);
  const context = await sharedAnalysisPool().repoContext(
    {
      snapshot: { files: commit.files, shas: commit.shas },
      config,
      cache: commit.cache,
      dbtCache: commit.dbtCache,
    },
    signal,
  );
  signal?.throwIfAborted();
  await saveAnalyses({
    store: input.store,
    commits: [commit],
    analyses: context.analyses,
    dbtReads: context.dbtReads,
  });
  return { ...context, sha: commit.commit, commit };
}

/**
 * The repository at one commit, the one way every flow loads it (the impact check's sides, triage,
 * proposals, the dashboard, `/backflow lineage`): files through the parse cache, then `buildRepoContext`.
 * The same commit gives the same lineage, contracts and declared columns everywhere.
 */
export async function loadRepoContext(input: {
  octokit: ProbotOctokit;
  store: Pick<Store, "parseCache">;
  owner: string;
  repo: string;
  sha: string;
  api: ApiCounter;
  signal?: AbortSignal;
  /** A reader to use instead of one over `octokit` (tests, or a caller that already has one). */
  reader?: RepoReader;
  /** The effective config when the caller resolved it; else the commit's own `.github/backflow.yml`. */
  config?: BackflowConfig;
}): Promise<LoadedRepoContext> {
  const { octokit, owner, repo, store, api, signal } = input;
  const reader = input.reader ?? createRepoReader({ octokit, owner, repo, ...(signal ? { signal } : {}) });
  const aborts = signal ? { signal } : {};
  const loaded = await loadCommitFiles({ reader, store, commit: input.sha, api, ...aborts });
  // The commit's own file with its `_extends` bases (or the organisation's default); ConfigError when invalid.
  const config =
    input.config ??
    (await effectiveConfigAt({ octokit, owner, repo, sha: input.sha, files: loaded.files, reader }));
  const commit = await withCatalog({
    reader,
    store,
    files: loaded,
    path: config.lineage?.catalog,
    api,
    ...aborts,
  });
  return buildRepoContext({ store, commit, config, ...aborts });
}

/** The default branch and the commit at its head. */
export type DefaultBranchHead = { readonly branch: string; readonly sha: string };

/** The default branch's name and head commit (two requests: the branch moves, so nothing is cached). */
export async function resolveDefaultBranch(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  api: ApiCounter;
  signal?: AbortSignal;
}): Promise<DefaultBranchHead> {
  const { octokit, owner, repo, api, signal } = input;
  const request = signal ? { request: { signal } } : {};
  api.calls++;
  const { data: repository } = await untilAborted(
    octokit.rest.repos.get({ owner, repo, ...request }),
    signal,
  );
  api.calls++;
  const { data: ref } = await untilAborted(
    octokit.rest.git.getRef({ owner, repo, ref: `heads/${repository.default_branch}`, ...request }),
    signal,
  );
  return { branch: repository.default_branch, sha: ref.object.sha };
}

/** The context at the head of the default branch, with the branch's name. */
export async function loadDefaultBranchRepoContext(input: {
  octokit: ProbotOctokit;
  store: Pick<Store, "parseCache">;
  owner: string;
  repo: string;
  api: ApiCounter;
  signal?: AbortSignal;
}): Promise<LoadedRepoContext & { readonly branch: string }> {
  const head = await resolveDefaultBranch(input);
  const context = await loadRepoContext({ ...input, sha: head.sha });
  return { ...context, branch: head.branch };
}
