import { parseConfig } from "../../core/config/parse-config.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { ConfigError } from "../../core/errors.js";
import { isRelevantPath } from "../../core/impact/relevant-path.js";
import { ANALYSIS_VERSION, type FileAnalysis } from "../../core/lineage/file-analysis.js";
import type { RepoSnapshot } from "../../core/repo-files.js";
import type { DbtYamlRead } from "../../core/sql/dbt/find-dbt-projects.js";
import { firstCsvRecord, isSeedFile, seedPathsInProjectFile } from "../../core/sql/dbt/seed-columns.js";
import type { Store } from "../../store/store.js";
import type { RepoReader, TreeEntry } from "../repo-reader.js";
import type { ApiCounter } from "./api-counter.js";
import { untilAborted } from "./until-aborted.js";

/**
 * One commit of a repository as every flow reads it: the files lineage, contracts and owners come from
 * (SQL, YAML, CODEOWNERS, and the `lineage.catalog` JSON when the config names one), their blob SHAs,
 * and what earlier runs cached for them.
 */
export type CommitFiles = RepoSnapshot & {
  readonly commit: string;
  /** The commit's root tree SHA; null when the reader could not say (a proposal then asks for it). */
  readonly treeSha: string | null;
  readonly files: Map<string, string>;
  readonly shas: Map<string, string>;
  /** File analyses stored by earlier runs for these blobs, by analysis key. */
  readonly cache: Map<string, FileAnalysis>;
  /** dbt YAML reads stored by an earlier run on this commit. */
  readonly dbtCache: Map<string, DbtYamlRead>;
};

// v2: the listing keeps JSON files too (a `lineage.catalog`), and the root tree's SHA.
// v3: and CSV files of at most MAX_SEED_BYTES (dbt seeds, whose header gives their columns).
const treeKey = (commit: string) => `tree:v3:${commit}`;
const blobKey = (sha: string) => `blob:${sha}`;
export const analysesKey = (sha: string) => `analyses:${ANALYSIS_VERSION}:${sha}`;
// The dbt YAML reads of a commit: every later run on it reuses them instead of re-parsing.
export const dbtReadsKey = (commit: string) => `dbt-reads:${ANALYSIS_VERSION}:${commit}`;

/**
 * The largest seed CSV read for its header: a seed can be megabytes, and a blob is read whole, so larger
 * seeds (and CSVs whose size the listing does not give) are not read and their columns stay unknown.
 */
export const MAX_SEED_BYTES = 1024 * 1024;

/** Paths worth listing: what analysis reads, JSON files (a dbt catalog is named by the config), small CSVs. */
const listed = (e: TreeEntry) =>
  isRelevantPath(e.path) ||
  /\.json$/i.test(e.path) ||
  (/\.csv$/i.test(e.path) && e.size !== undefined && e.size <= MAX_SEED_BYTES);

type CachedTree = { sha: string | null; entries: Array<{ path: string; sha: string }> };

function isCachedTree(value: unknown): value is CachedTree {
  return typeof value === "object" && value !== null && Array.isArray((value as CachedTree).entries);
}

export function isAnalysis(value: unknown): value is FileAnalysis {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { version?: unknown }).version === ANALYSIS_VERSION
  );
}

function isDbtRead(value: unknown): value is DbtYamlRead {
  const kind = typeof value === "object" && value !== null ? (value as { kind?: unknown }).kind : undefined;
  return kind === "project" || kind === "sources" || kind === "models";
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

/** A commit's listed tree entries; a commit's tree never changes, so it is cached by commit SHA. */
async function commitTree(
  reader: RepoReader,
  store: Pick<Store, "parseCache">,
  commit: string,
  api: ApiCounter,
): Promise<CachedTree> {
  const cached = (await store.parseCache.getMany([treeKey(commit)])).get(treeKey(commit));
  if (isCachedTree(cached)) return cached;
  api.calls++;
  const tree = reader.tree
    ? await reader.tree(commit)
    : { sha: null, entries: await reader.listTree(commit) };
  const value: CachedTree = {
    sha: tree.sha,
    entries: tree.entries.filter(listed).map((e) => ({ path: e.path, sha: e.sha })),
  };
  await store.parseCache.putMany([{ key: treeKey(commit), value }]);
  return value;
}

/** Blob reads in flight, shared by loads that run side by side (a pull request's base and head). */
export type BlobReads = Map<string, Promise<string>>;

/**
 * Texts by blob SHA: from the cache, else read (and cached) one blob per request. A blob another
 * load sharing `inFlight` is already reading is awaited, not requested again.
 */
async function readTexts(
  reader: RepoReader,
  store: Pick<Store, "parseCache">,
  shas: readonly string[],
  api: ApiCounter,
  signal: AbortSignal | undefined,
  inFlight: BlobReads,
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (shas.length === 0) return texts;
  for (const [key, value] of await store.parseCache.getMany(shas.map(blobKey))) {
    if (typeof value === "string") texts.set(key.slice("blob:".length), value);
  }
  signal?.throwIfAborted();
  const mine: string[] = [];
  for (const sha of shas) {
    if (texts.has(sha) || inFlight.has(sha)) continue;
    mine.push(sha);
    api.calls++;
    inFlight.set(sha, reader.readBlob(sha));
  }
  const waited = shas.filter((sha) => !texts.has(sha));
  const read = await Promise.all(waited.map(async (sha) => ({ sha, text: await inFlight.get(sha) })));
  for (const { sha, text } of read) texts.set(sha, text ?? "");
  if (mine.length > 0)
    await store.parseCache.putMany(mine.map((sha) => ({ key: blobKey(sha), value: texts.get(sha) ?? "" })));
  return texts;
}

/** The listed CSVs inside the seed paths of the commit's dbt projects (their dbt_project.yml files). */
function seedEntries(
  all: readonly TreeEntry[],
  relevant: readonly TreeEntry[],
  texts: ReadonlyMap<string, string>,
): TreeEntry[] {
  const dirs = relevant
    .filter((e) => /(^|\/)dbt_project\.yml$/.test(e.path))
    .flatMap((e) => seedPathsInProjectFile(e.path.split("/").slice(0, -1).join("/"), texts.get(e.sha) ?? ""));
  return dirs.length === 0 ? [] : all.filter((e) => isSeedFile(e.path, dirs));
}

/** The `lineage.catalog` path of a valid config; an invalid one is reported by whoever parses it next. */
function catalogPath(configText: string | undefined): string | undefined {
  try {
    return parseConfig(configText, CONFIG_PATH).lineage?.catalog;
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

/**
 * The files of one commit with as few GitHub requests as the caches allow: the tree by commit SHA,
 * texts by blob SHA, analyses by blob SHA and dbt YAML reads by commit. Every text is present (cached
 * analyses are keyed partly by what a text calls, e.g. a model's macros, so a text is never skipped).
 * `signal` aborts between steps and, through the reader, inside requests.
 */
export function loadCommitFiles(input: LoadCommitFilesInput): Promise<CommitFiles> {
  return untilAborted(loadCommitFilesNow(input), input.signal);
}

type LoadCommitFilesInput = {
  reader: RepoReader;
  store: Pick<Store, "parseCache">;
  commit: string;
  api: ApiCounter;
  signal?: AbortSignal;
  /** Shared with a load running alongside, so a blob both need is read once. */
  inFlight?: BlobReads;
};

async function loadCommitFilesNow(input: LoadCommitFilesInput): Promise<CommitFiles> {
  const { reader, store, commit, api, signal } = input;
  const inFlight = input.inFlight ?? new Map();
  signal?.throwIfAborted();
  const tree = await commitTree(reader, store, commit, api);
  const relevant = tree.entries.filter((e) => isRelevantPath(e.path));
  const texts = await readTexts(
    reader,
    store,
    [...new Set(relevant.map((e) => e.sha))],
    api,
    signal,
    inFlight,
  );
  const entries: TreeEntry[] = [...relevant];
  const config = relevant.find((e) => e.path === CONFIG_PATH);
  const catalog = catalogPath(config ? texts.get(config.sha) : undefined);
  const catalogEntry = catalog ? tree.entries.find((e) => e.path === catalog) : undefined;
  if (catalogEntry && !isRelevantPath(catalogEntry.path)) {
    for (const [sha, text] of await readTexts(reader, store, [catalogEntry.sha], api, signal, inFlight))
      texts.set(sha, text);
    entries.push(catalogEntry);
  }
  const seeds = seedEntries(tree.entries, relevant, texts);
  if (seeds.length > 0) {
    const seedTexts = await readTexts(
      reader,
      store,
      [...new Set(seeds.map((e) => e.sha))],
      api,
      signal,
      inFlight,
    );
    // Only the header is kept: it is all lineage reads of a seed.
    for (const [sha, text] of seedTexts) texts.set(sha, firstCsvRecord(text));
    entries.push(...seeds);
  }
  const shas = new Map(entries.map((e) => [e.path, e.sha]));
  const sqlShas = [...new Set(relevant.filter((e) => /\.sql$/i.test(e.path)).map((e) => e.sha))];
  const stored = await store.parseCache.getMany([...sqlShas.map(analysesKey), dbtReadsKey(commit)]);
  const cache = new Map<string, FileAnalysis>();
  for (const [key, value] of stored) {
    if (!key.startsWith("analyses:") || !Array.isArray(value)) continue;
    for (const analysis of value) if (isAnalysis(analysis)) cache.set(analysis.key, analysis);
  }
  signal?.throwIfAborted();
  return {
    commit,
    treeSha: tree.sha,
    files: new Map(entries.map((e) => [e.path, texts.get(e.sha) ?? ""])),
    shas,
    cache,
    dbtCache: dbtReadsOf(stored.get(dbtReadsKey(commit))),
  };
}

/**
 * The commit's files with the dbt catalog an effective config names (`lineage.catalog`, e.g. set
 * by a shared base config rather than the repository's own file), when the commit has that file and
 * it is not loaded yet. The tree comes from the cache, so this costs at most the blob's request.
 */
export async function withCatalog(input: {
  reader: RepoReader;
  store: Pick<Store, "parseCache">;
  files: CommitFiles;
  path: string | undefined;
  api: ApiCounter;
  signal?: AbortSignal;
}): Promise<CommitFiles> {
  const { files, path } = input;
  if (path === undefined || files.files.has(path)) return files;
  const tree = await commitTree(input.reader, input.store, files.commit, input.api);
  const entry = tree.entries.find((e) => e.path === path);
  if (!entry) return files;
  const texts = await readTexts(input.reader, input.store, [entry.sha], input.api, input.signal, new Map());
  return {
    ...files,
    files: new Map([...files.files, [path, texts.get(entry.sha) ?? ""]]),
    shas: new Map([...files.shas, [path, entry.sha]]),
  };
}

/**
 * Stores what a run analysed: each analysis under the blob SHA its path has in any of the commits
 * (so the next run on any commit holding that blob reuses it), and each commit's dbt YAML reads when
 * it had none stored.
 */
export async function saveAnalyses(input: {
  store: Pick<Store, "parseCache">;
  commits: readonly CommitFiles[];
  analyses: ReadonlyMap<string, FileAnalysis>;
  dbtReads?: ReadonlyMap<string, DbtYamlRead>;
}): Promise<void> {
  const { store, commits } = input;
  if (input.dbtReads && input.dbtReads.size > 0) {
    const value = [...input.dbtReads];
    const missing = commits.filter((c) => c.dbtCache.size === 0);
    if (missing.length > 0)
      await store.parseCache.putMany(
        [...new Set(missing.map((c) => c.commit))].map((c) => ({ key: dbtReadsKey(c), value })),
      );
  }
  const bySha = new Map<string, FileAnalysis[]>();
  for (const analysis of input.analyses.values()) {
    if (commits.some((c) => c.cache.has(analysis.key))) continue;
    const shas = new Set(commits.map((c) => c.shas.get(analysis.path)));
    for (const sha of shas) if (sha) bySha.set(sha, [...(bySha.get(sha) ?? []), analysis]);
  }
  if (bySha.size === 0) return;
  const existing = await store.parseCache.getMany([...bySha.keys()].map(analysesKey));
  await store.parseCache.putMany(
    [...bySha].map(([sha, list]) => {
      const before = existing.get(analysesKey(sha));
      const kept = Array.isArray(before)
        ? before.filter((a) => isAnalysis(a) && !list.some((n) => n.key === a.key))
        : [];
      return { key: analysesKey(sha), value: [...kept, ...list] };
    }),
  );
}
