import type { Logger, ProbotOctokit } from "probot";
import { type ConfigFileRef, sameRepo } from "../core/config/config-file-ref.js";
import type { ConfigLayer } from "../core/config/read-config-layer.js";
import {
  type ConfigSource,
  type ReadConfigFile,
  resolveConfigChain,
} from "../core/config/resolve-config-chain.js";
import { type BackflowConfig, CONFIG_PATH } from "../core/config/schema.js";
import { validateConfigLayers } from "../core/config/validate-config-layers.js";
import { ConfigError } from "../core/errors.js";
import { createRepoReader, type RepoReader } from "./repo-reader.js";
import { requestStatus } from "./request-errors.js";

export type RepoConfigResult =
  | {
      readonly ok: true;
      readonly config: BackflowConfig;
      /** `organization`: the repository has no file and its owner's `.github` repository's applies. */
      readonly source: ConfigSource;
      /** The shared files this configuration reads (through `_extends` or the organisation fallback). */
      readonly bases: readonly ConfigFileRef[];
      /** The files merged, top first (none when the defaults apply). */
      readonly layers: readonly ConfigLayer[];
    }
  | {
      readonly ok: false;
      readonly error: ConfigError;
      readonly bases: readonly ConfigFileRef[];
      readonly layers: readonly ConfigLayer[];
    };

/** A 403 that is a rate limit (retry later), not a repository the installation may not read. */
function isRateLimited(error: unknown): boolean {
  const response = (error as { response?: { headers?: Record<string, unknown> } }).response;
  const headers = response?.headers ?? {};
  return headers["retry-after"] !== undefined || String(headers["x-ratelimit-remaining"]) === "0";
}

/**
 * Reads configuration files as the installation can: files of `home`'s repository at `ref` (through
 * `own`), any other repository's on its default branch. A file the installation may not read (404,
 * or a 403 that is not a rate limit) is null, like a missing one; other errors throw.
 */
export function configFileReader(input: {
  octokit: ProbotOctokit;
  home: Pick<ConfigFileRef, "owner" | "repo">;
  own: Pick<RepoReader, "readFile">;
  ref?: string;
  log?: Pick<Logger, "debug">;
}): ReadConfigFile {
  const { octokit, home, own, ref } = input;
  return async (file) => {
    try {
      return sameRepo(file, home)
        ? await own.readFile(file.path, ref)
        : await createRepoReader({ octokit, owner: file.owner, repo: file.repo }).readFile(file.path);
    } catch (error) {
      // A repository outside the installation answers 404 (readFile's null) or 403: either way unreadable.
      if (requestStatus(error) === 403 && !isRateLimited(error)) {
        input.log?.debug({ file }, "installation may not read a configuration base");
        return null;
      }
      throw error;
    }
  };
}

/**
 * Reads a repository's `.github/backflow.yml` at `ref` with everything it extends, merges and
 * validates it. As Probot's `context.config`: a repository without the file gets its owner's
 * `.github` repository's `.github/backflow.yml`; `_extends` chains are followed through the
 * installation's Octokit. Bases in other repositories are read on their default branch; a base in
 * the same repository is read at `ref`, so a pull request that edits both is checked as a whole.
 * An invalid configuration (a bad key, a missing base, a loop) is returned, never thrown, with each
 * problem naming its file; network errors still throw.
 * @example const result = await loadRepoConfig({ octokit, owner, repo, ref: pr.head.sha })
 */
export async function loadRepoConfig(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  /** A branch, tag or commit SHA; the default branch when omitted. */
  ref?: string;
  /** The repository's own file at `ref` when the caller already has it (null: it has none); read otherwise. */
  ownText?: string | null;
  /** Reads the repository's own files; made from `octokit` when omitted. */
  reader?: Pick<RepoReader, "readFile">;
  log?: Pick<Logger, "debug">;
}): Promise<RepoConfigResult> {
  const { octokit, owner, repo, ref } = input;
  const own = input.reader ?? createRepoReader({ octokit, owner, repo });
  const home: ConfigFileRef = { owner, repo, path: CONFIG_PATH };
  const homeText = input.ownText !== undefined ? input.ownText : await own.readFile(CONFIG_PATH, ref);
  const read = configFileReader({
    octokit,
    home,
    own,
    ...(ref ? { ref } : {}),
    ...(input.log ? { log: input.log } : {}),
  });
  const chain = await resolveConfigChain({ home, homeText, read });
  if (!chain.ok) return chain;
  const { layers, bases, source } = chain;
  try {
    return { ok: true, config: validateConfigLayers(layers), source, bases, layers };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error, bases, layers };
    throw error;
  }
}

/**
 * The effective config at a commit whose files the caller has loaded (the own file is not read
 * again; bases and the organisation default are). Throws the ConfigError when it is invalid, for
 * flows that stop there (triage, proposals, the dashboard).
 * @example const config = await effectiveConfigAt({ octokit, owner, repo, sha, files })
 */
export async function effectiveConfigAt(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  sha: string;
  files: ReadonlyMap<string, string>;
  reader?: Pick<RepoReader, "readFile">;
}): Promise<BackflowConfig> {
  const { files, sha, ...rest } = input;
  const result = await loadRepoConfig({ ...rest, ref: sha, ownText: files.get(CONFIG_PATH) ?? null });
  if (!result.ok) throw result.error;
  return result.config;
}
