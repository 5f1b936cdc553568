import type { BackflowConfig } from "../../core/config/schema.js";
import type { FileAnalysis } from "../../core/lineage/file-analysis.js";
import type { DbtYamlRead } from "../../core/sql/dbt/find-dbt-projects.js";
import { type PooledImpact, sharedAnalysisPool } from "../../jobs/analysis-pool.js";
import type { Store } from "../../store/store.js";
import type { ApiCounter } from "../repo-context/api-counter.js";
import {
  type CommitFiles,
  loadCommitFiles,
  saveAnalyses as saveCommitAnalyses,
} from "../repo-context/commit-files.js";
import { untilAborted } from "../repo-context/until-aborted.js";
import type { ChangedFile, RepoReader } from "../repo-reader.js";

export type { ApiCounter } from "../repo-context/api-counter.js";

/** Both sides of a pull request, each loaded as every flow loads a commit, and what changed between them. */
export type LoadedSnapshots = {
  readonly base: CommitFiles;
  readonly head: CommitFiles;
  readonly changed: ChangedFile[];
  /** Analyses stored for either side's blobs. */
  readonly cache: Map<string, FileAnalysis>;
  /** dbt YAML reads stored for either commit. */
  readonly dbtCache: Map<string, DbtYamlRead>;
  readonly baseSha: string;
};

/**
 * The base and head of a pull request through the one repo-context loader (trees by commit, texts,
 * analyses by blob SHA, dbt YAML reads by commit) plus the comparison; `signal` aborts the reads.
 */
export async function loadSnapshots(input: {
  reader: RepoReader;
  store: Store;
  baseSha: string;
  headSha: string;
  api: ApiCounter;
  signal?: AbortSignal;
}): Promise<LoadedSnapshots> {
  const { reader, store, api, signal } = input;
  // Base and head share most blobs: one read each, whichever side asks first.
  const inFlight = new Map<string, Promise<string>>();
  const side = (commit: string) =>
    loadCommitFiles({ reader, store, commit, api, inFlight, ...(signal ? { signal } : {}) });
  api.calls++;
  const [base, head, changed] = await Promise.all([
    side(input.baseSha),
    side(input.headSha),
    untilAborted(reader.compare(input.baseSha, input.headSha), signal),
  ]);
  return {
    base,
    head,
    changed,
    cache: new Map([...base.cache, ...head.cache]),
    dbtCache: new Map([...base.dbtCache, ...head.dbtCache]),
    baseSha: input.baseSha,
  };
}

/** Stores the analyses and dbt YAML reads a run made, for both sides' commits and blobs. */
export function saveAnalyses(input: {
  store: Store;
  snapshots: LoadedSnapshots;
  analyses: ReadonlyMap<string, FileAnalysis>;
  dbtReads?: ReadonlyMap<string, DbtYamlRead>;
}): Promise<void> {
  const { snapshots } = input;
  return saveCommitAnalyses({
    store: input.store,
    commits: [snapshots.base, snapshots.head],
    analyses: input.analyses,
    ...(input.dbtReads ? { dbtReads: input.dbtReads } : {}),
  });
}

/**
 * The impact of base → head under `config`, then the analyses and dbt YAML reads it made are stored.
 * Lineage building and SQL/Jinja rendering run on a worker thread: a seconds-long render never
 * delays a webhook answer or /healthz on this process's event loop.
 */
export async function analyzeSnapshots(input: {
  store: Store;
  snapshots: LoadedSnapshots;
  config: BackflowConfig;
  signal?: AbortSignal | undefined;
}): Promise<PooledImpact> {
  const { snapshots } = input;
  const analyzed = await sharedAnalysisPool().analyzeImpact(
    {
      base: snapshots.base,
      head: snapshots.head,
      config: input.config,
      changedFiles: snapshots.changed,
      cache: snapshots.cache,
      dbtCache: snapshots.dbtCache,
    },
    input.signal,
  );
  await saveAnalyses({
    store: input.store,
    snapshots,
    analyses: analyzed.analyses,
    dbtReads: analyzed.dbtReads,
  });
  return analyzed;
}
