import type { ProbotOctokit } from "probot";
import {
  type ConfigFileRef,
  describeConfigFile,
  ORG_CONFIG_REPO,
} from "../../core/config/config-file-ref.js";
import { EXTENDS_KEY } from "../../core/config/parse-config.js";
import { type ConfigChain, resolveChainFrom } from "../../core/config/resolve-config-chain.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import {
  effectOnDependent,
  layersAbove,
  problemsOf,
  type RecordedLayer,
} from "../../core/config/shared-config-effect.js";
import { validateConfigLayers } from "../../core/config/validate-config-layers.js";
import { ConfigError, type ConfigProblem } from "../../core/errors.js";
import { type RepoKey, repoKeyOf } from "../../core/github/repo-key.js";
import type { SharedConfigImpact, SharedFileImpact } from "../../core/render/render-shared-config-section.js";
import type { Store } from "../../store/store.js";
import { configFileReader } from "../load-repo-config.js";
import { type ChangedFile, createRepoReader, type RepoReader } from "../repo-reader.js";
import { readConfigExtends, readExtendedBy } from "./config-dependents.js";

/** The configuration files of `repo` others may use: those recorded as extended, and the organisation default. */
function sharedPaths(repo: string, extendedBy: Record<string, string[]>): Set<string> {
  const paths = new Set(Object.keys(extendedBy));
  if (repo.toLowerCase() === ORG_CONFIG_REPO) paths.add(CONFIG_PATH);
  return paths;
}

/** The status of `path` in a pull request's changes, or undefined when it does not change it. */
function statusOf(changed: readonly ChangedFile[], path: string): SharedFileImpact["status"] | undefined {
  for (const f of changed) {
    if (f.path === path)
      return f.status === "removed" ? "removed" : f.status === "added" ? "added" : "modified";
    if (f.previousPath === path) return "removed";
  }
  return undefined;
}

/**
 * For a pull request in a repository that holds shared configuration (the organisation's `.github`
 * repository, or any repository others `_extends`): which shared files it changes, whether each new
 * file validates, and how the effective configuration of every repository known to extend it changes.
 * Null when it changes none. Known = recorded by `recordConfigExtends` when their config was validated.
 */
export async function findSharedConfigImpact(input: {
  octokit: ProbotOctokit;
  store: Pick<Store, "repoState">;
  owner: string;
  repo: string;
  baseSha: string;
  headSha: string;
  changed: readonly ChangedFile[];
  reader?: Pick<RepoReader, "readFile">;
}): Promise<SharedConfigImpact | null> {
  const { octokit, owner, repo, store } = input;
  const extendedBy = await readExtendedBy(store, repoKeyOf(owner, repo));
  const candidates = [...sharedPaths(repo, extendedBy?.files ?? {})].flatMap((path) => {
    const status = statusOf(input.changed, path);
    return status ? [{ path, status }] : [];
  });
  if (candidates.length === 0) return null;
  const own = input.reader ?? createRepoReader({ octokit, owner, repo });
  const readerAt = (sha: string) => configFileReader({ octokit, home: { owner, repo }, own, ref: sha });
  const files: SharedFileImpact[] = [];
  for (const { path, status } of candidates) {
    const shared: ConfigFileRef = { owner, repo, path };
    const [beforeText, afterText] = await Promise.all([
      own.readFile(path, input.baseSha),
      status === "removed" ? Promise.resolve(null) : own.readFile(path, input.headSha),
    ]);
    const before =
      beforeText === null
        ? null
        : await resolveChainFrom({ start: shared, text: beforeText, read: readerAt(input.baseSha) });
    const after =
      afterText === null
        ? null
        : await resolveChainFrom({ start: shared, text: afterText, read: readerAt(input.headSha) });
    const dependents = (extendedBy?.files[path] ?? []) as RepoKey[];
    const affected: SharedFileImpact["affected"][number][] = [];
    for (const dependent of dependents) {
      const record = await readConfigExtends(store, dependent);
      const above = layersAbove(record?.layers ?? [], shared);
      const effect = effectOnDependent({
        above,
        before: before ?? absent(above, shared, "did not exist"),
        after: after ?? absent(above, shared, "this pull request deletes"),
      });
      if (effect.kind !== "unchanged") affected.push({ repo: dependent, effect });
    }
    files.push({
      file: describeConfigFile(shared),
      status: afterText === null ? "removed" : status,
      problems: after ? validateAlone(after) : [],
      known: dependents.length,
      affected,
    });
  }
  return { files, ...(extendedBy ? { since: extendedBy.since } : {}) };
}

/**
 * The chain a dependent gets where the shared file is absent: nothing (the defaults) when it reached
 * the file as its organisation default, otherwise the `_extends` above it points at nothing.
 */
function absent(above: readonly RecordedLayer[], shared: ConfigFileRef, why: string): ConfigChain {
  const top = above.at(-1);
  if (!top) return { ok: true, layers: [], source: "defaults", bases: [] };
  const label = describeConfigFile(top.file);
  const error = new ConfigError(label, [
    { path: EXTENDS_KEY, message: `points at ${describeConfigFile(shared)}, which ${why}` },
  ]);
  return { ok: false, error, bases: [], layers: [] };
}

/** The shared file's own problems: its chain, merged and validated as a repository without a file of its own would use it. */
function validateAlone(chain: ConfigChain): ConfigProblem[] {
  if (!chain.ok) return problemsOf(chain.error);
  try {
    validateConfigLayers(chain.layers);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return problemsOf(error);
    throw error;
  }
}
