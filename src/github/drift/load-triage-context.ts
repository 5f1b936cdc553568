import type { ProbotOctokit } from "probot";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import type { ApiCounter } from "../repo-context/api-counter.js";
import { type LoadedRepoContext, loadDefaultBranchRepoContext } from "../repo-context/load-repo-context.js";

/** Triage's context: the repository context at the head of the default branch. */
export type LoadedTriageContext = LoadedRepoContext;

/**
 * Config, lineage, contracts and CODEOWNERS at the head of the default branch, through the one
 * repo-context loader (the impact check and proposals build the same context for the same commit).
 * Throws ConfigError when `.github/backflow.yml` is invalid there; `signal` aborts the load.
 */
export function loadTriageContext(input: {
  octokit: ProbotOctokit;
  store: Store;
  owner: string;
  repo: string;
  api: ApiCounter;
  signal?: AbortSignal;
}): Promise<LoadedTriageContext> {
  return loadDefaultBranchRepoContext(input);
}

/** The default branch's context for one repository target, when nothing counts the API calls. */
export function loadDefaultBranchContext(
  target: Pick<RepoTarget, "octokit" | "deps" | "owner" | "repo"> & { readonly signal?: AbortSignal },
): Promise<LoadedTriageContext> {
  const { octokit, deps, owner, repo, signal } = target;
  return loadTriageContext({
    octokit,
    store: deps.store,
    owner,
    repo,
    api: { calls: 0 },
    ...(signal ? { signal } : {}),
  });
}
