import type { ProbotOctokit } from "probot";
import { isNotFound } from "./request-errors.js";

export type TreeEntry = { readonly path: string; readonly sha: string; readonly size?: number };

export type ChangeStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export type ChangedFile = {
  readonly path: string;
  readonly status: ChangeStatus;
  /** Blob SHA at head (at base for removed files); null when GitHub does not say. */
  readonly sha: string | null;
  readonly previousPath?: string;
};

/** A commit's file listing and the SHA of its root tree (a new commit on top of it needs that). */
export type CommitTree = { readonly sha: string; readonly entries: TreeEntry[] };

/** Reads a repository through the Git trees/blobs API, without a clone. */
export type RepoReader = {
  /** Every file (blob) at `ref`, with its blob SHA. Truncated recursive listings are completed. */
  listTree(ref: string): Promise<TreeEntry[]>;
  /** `listTree` with the root tree's SHA (in the same request); readers that cannot say omit it. */
  tree?(ref: string): Promise<CommitTree>;
  /** The UTF-8 text of a blob. */
  readBlob(sha: string): Promise<string>;
  /** The text of `path` at `ref` (default branch when omitted), or null when it does not exist there. */
  readFile(path: string, ref?: string): Promise<string | null>;
  /** Files changed from the merge base of `base` and `head` to `head`. */
  compare(base: string, head: string): Promise<ChangedFile[]>;
};

/** GitHub lists at most this many files in a comparison; a full page means the list may be cut. */
export const COMPARE_FILE_LIMIT = 300;

const CHANGE_STATUSES: readonly ChangeStatus[] = [
  "added",
  "removed",
  "modified",
  "renamed",
  "copied",
  "changed",
  "unchanged",
];

function toStatus(status: string): ChangeStatus {
  return (CHANGE_STATUSES as readonly string[]).includes(status) ? (status as ChangeStatus) : "changed";
}

function decodeBase64(content: string): string {
  return Buffer.from(content.replace(/\n/g, ""), "base64").toString("utf8");
}

/** Compares two file listings: what a path-by-path diff of two trees says changed. */
export function diffTrees(base: readonly TreeEntry[], head: readonly TreeEntry[]): ChangedFile[] {
  const before = new Map(base.map((e) => [e.path, e.sha]));
  const after = new Map(head.map((e) => [e.path, e.sha]));
  const changes: ChangedFile[] = [];
  for (const [path, sha] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push({ path, status: "added", sha });
    else if (old !== sha) changes.push({ path, status: "modified", sha });
  }
  for (const [path, sha] of before) {
    if (!after.has(path)) changes.push({ path, status: "removed", sha });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * A RepoReader for one repository. With `signal`, every request is aborted when it fires (a job
 * whose lease was lost stops waiting on GitHub).
 * @example const files = await createRepoReader({ octokit, owner, repo }).listTree(pr.head.sha)
 */
export function createRepoReader(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  signal?: AbortSignal;
}): RepoReader {
  const { octokit, owner, repo } = input;
  const request = input.signal ? { request: { signal: input.signal } } : {};

  // A recursive listing that GitHub truncated is completed by walking the subtrees one level at a time.
  async function walk(treeSha: string, prefix: string): Promise<CommitTree> {
    const { data } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: treeSha,
      recursive: "1",
      ...request,
    });
    if (!data.truncated) {
      const entries = data.tree
        .filter((e) => e.type === "blob" && e.path && e.sha)
        .map((e) => ({
          path: `${prefix}${e.path}`,
          sha: e.sha as string,
          ...(e.size === undefined ? {} : { size: e.size }),
        }));
      return { sha: data.sha, entries };
    }
    const { data: level } = await octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha, ...request });
    const entries: TreeEntry[] = [];
    for (const e of level.tree) {
      if (!e.path || !e.sha) continue;
      if (e.type === "blob")
        entries.push({
          path: `${prefix}${e.path}`,
          sha: e.sha,
          ...(e.size === undefined ? {} : { size: e.size }),
        });
      if (e.type === "tree") entries.push(...(await walk(e.sha, `${prefix}${e.path}/`)).entries);
    }
    return { sha: level.sha, entries };
  }

  const reader: RepoReader = {
    listTree: async (ref) => (await walk(ref, "")).entries,
    tree: (ref) => walk(ref, ""),

    async readBlob(sha) {
      const { data } = await octokit.rest.git.getBlob({ owner, repo, file_sha: sha, ...request });
      return data.encoding === "base64" ? decodeBase64(data.content) : data.content;
    },

    async readFile(path, ref) {
      try {
        const { data } = await octokit.rest.repos.getContent({
          owner,
          repo,
          path,
          ...(ref ? { ref } : {}),
          ...request,
        });
        if (Array.isArray(data) || data.type !== "file") return null;
        // Files over 1 MB come back without content; the blob API has no such limit.
        if (!("content" in data) || data.encoding === "none" || !data.content)
          return reader.readBlob(data.sha);
        return decodeBase64(data.content);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async compare(base, head) {
      // With a page parameter, GitHub lists the files (up to 300) on the first page only.
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner,
        repo,
        basehead: `${base}...${head}`,
        per_page: 1,
        page: 1,
        ...request,
      });
      const files = data.files ?? [];
      if (files.length >= COMPARE_FILE_LIMIT) {
        const [before, after] = await Promise.all([
          reader.listTree(data.merge_base_commit.sha),
          reader.listTree(head),
        ]);
        return diffTrees(before, after);
      }
      return files.map((f) => ({
        path: f.filename,
        status: toStatus(f.status),
        sha: f.sha ?? null,
        ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
      }));
    },
  };
  return reader;
}
