import type { ProbotOctokit } from "probot";
import { parseConfig } from "../../core/config/parse-config.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { sharedAnalysisPool } from "../../jobs/analysis-pool.js";
import type { Store } from "../../store/store.js";
import type { RepoTarget } from "../app-deps.js";
import { type ApiCounter, loadSnapshots, saveAnalyses } from "../impact/load-snapshots.js";
import { createRepoReader } from "../repo-reader.js";
import type { TriageContext } from "./triage-context.js";

export type LoadedTriageContext = TriageContext & {
  /** The default-branch commit the lineage was built from (permalinks point at it). */
  readonly sha: string;
};

/**
 * Config, lineage, contracts and CODEOWNERS at the head of the default branch, through the GitHub API
 * and the impact check's caches (tree by commit, texts and analyses by blob SHA).
 * Throws ConfigError when `.github/backflow.yml` is invalid there.
 */
export async function loadTriageContext(input: {
  octokit: ProbotOctokit;
  store: Store;
  owner: string;
  repo: string;
  api: ApiCounter;
}): Promise<LoadedTriageContext> {
  const { octokit, owner, repo, api } = input;
  api.calls++;
  const { data: repository } = await octokit.rest.repos.get({ owner, repo });
  api.calls++;
  const { data: ref } = await octokit.rest.git.getRef({
    owner,
    repo,
    ref: `heads/${repository.default_branch}`,
  });
  const sha = ref.object.sha;
  const reader = createRepoReader({ octokit, owner, repo });
  // One commit on both sides: the impact loader's caches serve triage as they serve pull requests.
  const snapshots = await loadSnapshots({ reader, store: input.store, baseSha: sha, headSha: sha, api });
  const config = parseConfig(snapshots.head.files.get(CONFIG_PATH), CONFIG_PATH);
  // Lineage building and Jinja rendering on a worker thread, off the event loop that serves HTTP.
  const context = await sharedAnalysisPool().triageContext({
    snapshot: snapshots.head,
    config,
    cache: snapshots.cache,
  });
  await saveAnalyses({ store: input.store, snapshots, analyses: context.analyses });
  return { ...context, sha };
}

/** The default branch's context for one repository target, when nothing counts the API calls. */
export function loadDefaultBranchContext(
  target: Pick<RepoTarget, "octokit" | "deps" | "owner" | "repo">,
): Promise<LoadedTriageContext> {
  const { octokit, deps, owner, repo } = target;
  return loadTriageContext({ octokit, store: deps.store, owner, repo, api: { calls: 0 } });
}
