import type { ProbotOctokit } from "probot";
import type { Store } from "../../store/store.js";
import { createRepoReader } from "../repo-reader.js";

export type DefaultBranchSnapshot = {
  readonly branch: string;
  readonly sha: string;
  readonly treeSha: string;
  /** SQL, YAML and config files at the head of the default branch. */
  readonly files: Map<string, string>;
};

const RELEVANT = /\.(sql|ya?ml)$|(^|\/)CODEOWNERS$/i;

/** The default branch's head and its SQL/YAML files, blob texts cached by SHA in the parse cache. */
export async function loadDefaultBranch(input: {
  octokit: ProbotOctokit;
  store: Pick<Store, "parseCache">;
  owner: string;
  repo: string;
}): Promise<DefaultBranchSnapshot> {
  const { octokit, owner, repo } = input;
  const { data: repository } = await octokit.rest.repos.get({ owner, repo });
  const branch = repository.default_branch;
  const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
  const { data: commit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: ref.object.sha });
  const reader = createRepoReader({ octokit, owner, repo });
  const entries = (await reader.listTree(ref.object.sha)).filter((e) => RELEVANT.test(e.path));
  const cached = await input.store.parseCache.getMany(entries.map((e) => `blob:${e.sha}`));
  const files = new Map<string, string>();
  const read: Array<{ key: string; value: string }> = [];
  for (const entry of entries) {
    const hit = cached.get(`blob:${entry.sha}`);
    const text = typeof hit === "string" ? hit : await reader.readBlob(entry.sha);
    if (typeof hit !== "string") read.push({ key: `blob:${entry.sha}`, value: text });
    files.set(entry.path, text);
  }
  if (read.length > 0) await input.store.parseCache.putMany(read);
  return { branch, sha: ref.object.sha, treeSha: commit.tree.sha, files };
}
