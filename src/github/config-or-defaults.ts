import { parseConfig } from "../core/config/parse-config.js";
import { type BackflowConfig, CONFIG_PATH } from "../core/config/schema.js";
import type { RepoTarget } from "./app-deps.js";
import { loadRepoConfig } from "./load-repo-config.js";
import { createRepoReader } from "./repo-reader.js";

/**
 * The default branch's config for a scheduled job that must run anyway (a canary's end, the
 * review): the defaults when it is invalid there, with a warning naming `what` carries on.
 */
export async function configOrDefaults(target: RepoTarget, what: string): Promise<BackflowConfig> {
  const { octokit, owner, repo } = target;
  // Built apart from the call: loadRepoConfig's input gained fields over time; extra ones are ignored.
  const args = { octokit, owner, repo, reader: createRepoReader({ octokit, owner, repo }) };
  const loaded = await loadRepoConfig(args);
  if (loaded.ok) return loaded.config;
  target.log.warn(
    { repo: target.repoKey },
    `${CONFIG_PATH} is invalid on the default branch; ${what} under the defaults`,
  );
  return parseConfig(undefined, CONFIG_PATH);
}
