import type { ProbotOctokit } from "probot";
import type { Store } from "../../store/store.js";
import type { ApiCounter } from "../repo-context/api-counter.js";
import { type CommitFiles, loadCommitFiles } from "../repo-context/commit-files.js";
import { resolveDefaultBranch } from "../repo-context/load-repo-context.js";
import { untilAborted } from "../repo-context/until-aborted.js";
import { createRepoReader } from "../repo-reader.js";

export type DefaultBranchSnapshot = {
  readonly branch: string;
  readonly sha: string;
  /** The root tree of `sha`: a proposal's commit is a tree on top of it. */
  readonly treeSha: string;
  /** SQL, YAML and config files at the head of the default branch (and a configured catalog). */
  readonly files: Map<string, string>;
  /** The same commit as the repo-context loader reads it (caches included), to build its context. */
  readonly commit: CommitFiles;
};

/**
 * The default branch's head and its files, loaded as every flow loads a commit (tree by commit,
 * texts by blob SHA in the parse cache). `signal` aborts the reads.
 */
export async function loadDefaultBranch(input: {
  octokit: ProbotOctokit;
  store: Pick<Store, "parseCache">;
  owner: string;
  repo: string;
  api?: ApiCounter;
  signal?: AbortSignal;
}): Promise<DefaultBranchSnapshot> {
  const { octokit, owner, repo, signal } = input;
  const api = input.api ?? { calls: 0 };
  const head = await resolveDefaultBranch({ octokit, owner, repo, api, ...(signal ? { signal } : {}) });
  const reader = createRepoReader({ octokit, owner, repo, ...(signal ? { signal } : {}) });
  const commit = await loadCommitFiles({
    reader,
    store: input.store,
    commit: head.sha,
    api,
    ...(signal ? { signal } : {}),
  });
  let treeSha = commit.treeSha;
  if (treeSha === null) {
    api.calls++;
    const { data } = await untilAborted(
      octokit.rest.git.getCommit({
        owner,
        repo,
        commit_sha: head.sha,
        ...(signal ? { request: { signal } } : {}),
      }),
      signal,
    );
    treeSha = data.tree.sha;
  }
  return { branch: head.branch, sha: head.sha, treeSha, files: commit.files, commit };
}
