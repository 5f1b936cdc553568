import { isRelevantPath } from "../../core/impact/relevant-path.js";
import { ANALYSIS_VERSION, type FileAnalysis } from "../../core/lineage/file-analysis.js";
import type { RepoSnapshot } from "../../core/repo-files.js";
import type { DbtYamlRead } from "../../core/sql/dbt/find-dbt-projects.js";
import type { Store } from "../../store/store.js";
import type { ChangedFile, RepoReader, TreeEntry } from "../repo-reader.js";

/** Counts the GitHub requests of one run, for the log line that reports them. */
export type ApiCounter = { calls: number };

const treeKey = (commit: string) => `tree:${commit}`;
const blobKey = (sha: string) => `blob:${sha}`;
const analysesKey = (sha: string) => `analyses:${ANALYSIS_VERSION}:${sha}`;
// The dbt YAML reads of a base commit: every pull request on that base reuses them instead of re-parsing.
const dbtReadsKey = (commit: string) => `dbt-reads:${ANALYSIS_VERSION}:${commit}`;

export type LoadedSnapshots = {
  readonly base: RepoSnapshot & { shas: Map<string, string> };
  readonly head: RepoSnapshot & { shas: Map<string, string> };
  readonly changed: ChangedFile[];
  readonly cache: Map<string, FileAnalysis>;
  /** dbt YAML reads stored by an earlier run on the same base commit. */
  readonly dbtCache: Map<string, DbtYamlRead>;
  readonly baseSha: string;
};

function isDbtRead(value: unknown): value is DbtYamlRead {
  const kind = typeof value === "object" && value !== null ? (value as { kind?: unknown }).kind : undefined;
  return kind === "project" || kind === "sources";
}

function dbtReadsOf(value: unknown): Map<string, DbtYamlRead> {
  const reads = new Map<string, DbtYamlRead>();
  if (!Array.isArray(value)) return reads;
  for (const entry of value) {
    if (Array.isArray(entry) && typeof entry[0] === "string" && isDbtRead(entry[1]))
      reads.set(entry[0], entry[1]);
  }
  return reads;
}

function isAnalysis(value: unknown): value is FileAnalysis {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { version?: unknown }).version === ANALYSIS_VERSION
  );
}

/** A commit's relevant tree entries; a commit's tree never changes, so it is cached by commit SHA. */
async function relevantTree(
  reader: RepoReader,
  store: Store,
  commit: string,
  api: ApiCounter,
): Promise<TreeEntry[]> {
  const cached = (await store.parseCache.getMany([treeKey(commit)])).get(treeKey(commit));
  if (Array.isArray(cached)) return cached as TreeEntry[];
  api.calls++;
  const entries = (await reader.listTree(commit)).filter((e) => isRelevantPath(e.path));
  await store.parseCache.putMany([
    { key: treeKey(commit), value: entries.map((e) => ({ path: e.path, sha: e.sha })) },
  ]);
  return entries;
}

/**
 * The base and head snapshots of a pull request with as few GitHub requests as the caches allow:
 * trees by commit, file texts by blob SHA, and lineage analyses by blob SHA. A SQL file whose analysis
 * is cached is not read at all unless the pull request changed it (its text then tells formatting-only
 * edits apart); YAML and CODEOWNERS are always present.
 */
export async function loadSnapshots(input: {
  reader: RepoReader;
  store: Store;
  baseSha: string;
  headSha: string;
  api: ApiCounter;
}): Promise<LoadedSnapshots> {
  const { reader, store, api } = input;
  api.calls++;
  const [baseTree, headTree, changed] = await Promise.all([
    relevantTree(reader, store, input.baseSha, api),
    relevantTree(reader, store, input.headSha, api),
    reader.compare(input.baseSha, input.headSha),
  ]);
  const changedPaths = new Set(
    changed.flatMap((c) => (c.previousPath ? [c.path, c.previousPath] : [c.path])),
  );
  const sqlShas = [
    ...new Set([...baseTree, ...headTree].filter((e) => /\.sql$/i.test(e.path)).map((e) => e.sha)),
  ];
  const cache = new Map<string, FileAnalysis>();
  const analysed = new Set<string>();
  const stored = await store.parseCache.getMany([...sqlShas.map(analysesKey), dbtReadsKey(input.baseSha)]);
  const dbtCache = dbtReadsOf(stored.get(dbtReadsKey(input.baseSha)));
  for (const [key, value] of stored) {
    if (!key.startsWith("analyses:") || !Array.isArray(value)) continue;
    analysed.add(key.slice(key.lastIndexOf(":") + 1));
    for (const analysis of value) if (isAnalysis(analysis)) cache.set(analysis.key, analysis);
  }
  const needed = [...baseTree, ...headTree].filter(
    (e) => !/\.sql$/i.test(e.path) || !analysed.has(e.sha) || changedPaths.has(e.path),
  );
  const texts = await readTexts(reader, store, [...new Set(needed.map((e) => e.sha))], api);
  const snapshot = (tree: TreeEntry[]) => ({
    files: new Map(tree.map((e) => [e.path, texts.get(e.sha) ?? ""])),
    shas: new Map(tree.map((e) => [e.path, e.sha])),
  });
  return {
    base: snapshot(baseTree),
    head: snapshot(headTree),
    changed,
    cache,
    dbtCache,
    baseSha: input.baseSha,
  };
}

/** Texts by blob SHA: from the cache, else read (and cached) one blob per request. */
async function readTexts(
  reader: RepoReader,
  store: Store,
  shas: string[],
  api: ApiCounter,
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const [key, value] of await store.parseCache.getMany(shas.map(blobKey))) {
    if (typeof value === "string") texts.set(key.slice("blob:".length), value);
  }
  const missing = shas.filter((sha) => !texts.has(sha));
  const read = await Promise.all(
    missing.map(async (sha) => {
      api.calls++;
      return { sha, text: await reader.readBlob(sha) };
    }),
  );
  for (const { sha, text } of read) texts.set(sha, text);
  if (read.length > 0)
    await store.parseCache.putMany(read.map(({ sha, text }) => ({ key: blobKey(sha), value: text })));
  return texts;
}

/**
 * Stores the analyses a run made, under the blob SHA(s) their path has on either side, and the dbt
 * YAML reads under the base commit when it had none stored.
 */
export async function saveAnalyses(input: {
  store: Store;
  snapshots: LoadedSnapshots;
  analyses: ReadonlyMap<string, FileAnalysis>;
  dbtReads?: ReadonlyMap<string, DbtYamlRead>;
}): Promise<void> {
  const { snapshots } = input;
  if (input.dbtReads && input.dbtReads.size > 0 && snapshots.dbtCache.size === 0) {
    const value = [...input.dbtReads];
    await input.store.parseCache.putMany([{ key: dbtReadsKey(snapshots.baseSha), value }]);
  }
  const bySha = new Map<string, FileAnalysis[]>();
  for (const analysis of input.analyses.values()) {
    if (snapshots.cache.has(analysis.key)) continue;
    const shas = new Set([snapshots.head.shas.get(analysis.path), snapshots.base.shas.get(analysis.path)]);
    for (const sha of shas) if (sha) bySha.set(sha, [...(bySha.get(sha) ?? []), analysis]);
  }
  if (bySha.size === 0) return;
  const existing = await input.store.parseCache.getMany([...bySha.keys()].map(analysesKey));
  await input.store.parseCache.putMany(
    [...bySha].map(([sha, list]) => {
      const before = existing.get(analysesKey(sha));
      const kept = Array.isArray(before)
        ? before.filter((a) => isAnalysis(a) && !list.some((n) => n.key === a.key))
        : [];
      return { key: analysesKey(sha), value: [...kept, ...list] };
    }),
  );
}
