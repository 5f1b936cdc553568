import { z } from "zod";
import {
  type ConfigFileRef,
  ConfigFileRefSchema,
  describeConfigFile,
} from "../../core/config/config-file-ref.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { type RepoKey, repoKeyOf } from "../../core/github/repo-key.js";
import type { Store } from "../../store/store.js";
import type { Clock } from "../app-deps.js";
import { LEASE_TTL_MS } from "../lease-ttl.js";
import type { RepoConfigResult } from "../load-repo-config.js";
import { leaseOwner, withLease } from "../with-lease.js";

/** repoState key, on a repository: the shared files its configuration extends, and its own layers. */
export const CONFIG_EXTENDS_KEY = "config-extends";
/** repoState key, on a repository holding shared files: for each path, the repositories that extend it. */
export const CONFIG_EXTENDED_BY_KEY = "config-extended-by";

export const ConfigExtendsRecordSchema = z.object({
  at: z.string(),
  ref: z.string(),
  /** Every shared file the configuration reads or looked for, nearest first. */
  bases: z.array(ConfigFileRefSchema),
  /** The files merged, top first, as last validated: what a change to one of the bases lands on. */
  layers: z.array(z.object({ file: ConfigFileRefSchema, value: z.record(z.string(), z.unknown()) })),
});
export type ConfigExtendsRecord = z.infer<typeof ConfigExtendsRecordSchema>;

const ExtendedByRecordSchema = z.object({
  /** Path in the repository → repository keys, sorted. */
  files: z.record(z.string(), z.array(z.string())),
  /** When the first dependency was recorded: repositories validated only before then are not known. */
  since: z.string(),
});
export type ExtendedByRecord = z.infer<typeof ExtendedByRecordSchema>;

/** The dependents of the shared files in `repo`, or null when no validation has named any. */
export async function readExtendedBy(
  store: Pick<Store, "repoState">,
  repo: RepoKey,
): Promise<ExtendedByRecord | null> {
  const raw = await store.repoState.get({ repo, key: CONFIG_EXTENDED_BY_KEY });
  const parsed = ExtendedByRecordSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** What `repo`'s last validation recorded about its bases, or null. */
export async function readConfigExtends(
  store: Pick<Store, "repoState">,
  repo: RepoKey,
): Promise<ConfigExtendsRecord | null> {
  const parsed = ConfigExtendsRecordSchema.safeParse(
    await store.repoState.get({ repo, key: CONFIG_EXTENDS_KEY }),
  );
  return parsed.success ? parsed.data : null;
}

/**
 * Remembers which shared files `repo`'s configuration extends (on `repo`), and adds or removes `repo`
 * in each shared repository's list of dependents. Those lists are read-modify-written under a lease
 * per shared repository, so an install validating hundreds of repositories at once loses none.
 */
export async function recordConfigExtends(input: {
  store: Pick<Store, "repoState" | "leases">;
  clock: Clock;
  repo: RepoKey;
  ref: string;
  result: RepoConfigResult;
}): Promise<void> {
  const { store, clock, repo, result } = input;
  const previous = await readConfigExtends(store, repo);
  const record: ConfigExtendsRecord = {
    at: clock().toISOString(),
    ref: input.ref,
    bases: [...result.bases],
    layers: result.layers.map((l) => ({ file: l.file, value: { ...l.value } })),
  };
  await store.repoState.put({ repo, key: CONFIG_EXTENDS_KEY, value: record, now: clock() });
  const wanted = groupByRepo(record.bases);
  const before = groupByRepo(previous?.bases ?? []);
  for (const shared of new Set([...wanted.keys(), ...before.keys()])) {
    const paths = wanted.get(shared) ?? new Set<string>();
    // Re-validating a repository whose bases did not change writes nothing, and takes no lease.
    if (listsExactly(await readExtendedBy(store, shared), repo, paths)) continue;
    const outcome = await withLease(
      {
        store,
        name: `config-extended-by:${shared}`,
        owner: leaseOwner("config-extends"),
        clock,
        ttlMs: LEASE_TTL_MS,
        // Each write holds the lease for milliseconds; an install validating hundreds of repositories queues behind it.
        waitMs: 300_000,
      },
      async () => {
        const current = (await readExtendedBy(store, shared)) ?? { files: {}, since: clock().toISOString() };
        const files: Record<string, string[]> = {};
        const all = new Set([...Object.keys(current.files), ...paths]);
        for (const path of all) {
          const others = (current.files[path] ?? []).filter((r) => r !== repo);
          const next = paths.has(path) ? [...others, repo].sort() : others;
          if (next.length > 0) files[path] = next;
        }
        await store.repoState.put({
          repo: shared,
          key: CONFIG_EXTENDED_BY_KEY,
          value: { files, since: current.since } satisfies ExtendedByRecord,
          now: clock(),
        });
      },
    );
    if (!outcome.acquired) {
      throw new Error(`could not record that ${repo} extends files in ${shared}: its lease stayed busy`);
    }
  }
}

/** Whether `record` lists `repo` under exactly `paths`. */
function listsExactly(record: ExtendedByRecord | null, repo: RepoKey, paths: ReadonlySet<string>): boolean {
  const listed = Object.entries(record?.files ?? {}).filter(([, repos]) => repos.includes(repo));
  return listed.length === paths.size && listed.every(([path]) => paths.has(path));
}

function groupByRepo(refs: readonly ConfigFileRef[]): Map<RepoKey, Set<string>> {
  const out = new Map<RepoKey, Set<string>>();
  for (const ref of refs) {
    const key = repoKeyOf(ref.owner, ref.repo);
    out.set(key, (out.get(key) ?? new Set()).add(ref.path));
  }
  return out;
}

/**
 * The paths in `repo` whose change alters some repository's configuration: its own file, the bases
 * it extends in itself, and every file other repositories are recorded as extending.
 */
export async function watchedConfigPaths(
  store: Pick<Store, "repoState">,
  repo: RepoKey,
): Promise<Set<string>> {
  const [own, extendedBy] = await Promise.all([readConfigExtends(store, repo), readExtendedBy(store, repo)]);
  const inRepo = (own?.bases ?? []).filter((b) => repoKeyOf(b.owner, b.repo) === repo).map((b) => b.path);
  return new Set([CONFIG_PATH, ...inRepo, ...Object.keys(extendedBy?.files ?? {})]);
}

/** The repositories (other than `repo`) recorded as extending any of `paths` in `repo`, sorted. */
export async function dependentsOf(
  store: Pick<Store, "repoState">,
  repo: RepoKey,
  paths: Iterable<string>,
): Promise<RepoKey[]> {
  const files = (await readExtendedBy(store, repo))?.files ?? {};
  const out = new Set<string>();
  for (const path of paths)
    for (const dependent of files[path] ?? []) if (dependent !== repo) out.add(dependent);
  return [...out].sort() as RepoKey[];
}

/** One line for logs: the files a configuration extends. */
export function describeBases(bases: readonly ConfigFileRef[]): string[] {
  return bases.map((b) => describeConfigFile(b));
}
