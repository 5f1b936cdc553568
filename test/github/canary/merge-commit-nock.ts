import { createHash } from "node:crypto";
import type nock from "nock";
import { githubBase64 } from "../../helpers/github-nock.js";

export const blobShaOf = (text: string) =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");

const treeShaOf = (commit: string) => createHash("sha1").update(`tree ${commit}`).digest("hex");

/**
 * Answers what recording a merge's canary asks for: the merge commit (its first parent), the
 * comparison parent...merge, and when files differ the two trees and their blobs. Persisted, so
 * redeliveries are answered. `base` and `head` are the repository's files before and after.
 */
export function mockMergeCommit(
  scope: nock.Scope,
  input: {
    owner: string;
    repo: string;
    mergeSha: string;
    parentSha: string;
    base: Record<string, string>;
    head: Record<string, string>;
  },
): void {
  const api = `/repos/${input.owner}/${input.repo}`;
  scope.persist();
  scope.get(`${api}/git/commits/${input.mergeSha}`).reply(200, {
    sha: input.mergeSha,
    node_id: "C_1",
    url: `https://api.github.com${api}/git/commits/${input.mergeSha}`,
    html_url: `https://github.com/${input.owner}/${input.repo}/commit/${input.mergeSha}`,
    author: { name: "Octo Cat", email: "octo@example.com", date: "2026-11-10T00:00:00Z" },
    committer: { name: "GitHub", email: "noreply@github.com", date: "2026-11-10T00:00:00Z" },
    message: "Merge pull request",
    tree: { sha: treeShaOf(input.mergeSha), url: "https://api.github.com/tree" },
    parents: [
      { sha: input.parentSha, url: "https://api.github.com/parent", html_url: "https://github.com/parent" },
    ],
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  });
  const paths = [...new Set([...Object.keys(input.base), ...Object.keys(input.head)])].sort();
  const files = paths.flatMap((path) => {
    const before = input.base[path];
    const after = input.head[path];
    if (before === after) return [];
    const status = before === undefined ? "added" : after === undefined ? "removed" : "modified";
    return [
      {
        filename: path,
        status,
        sha: blobShaOf(after ?? before ?? ""),
        additions: 1,
        deletions: 1,
        changes: 2,
      },
    ];
  });
  scope
    .get(`${api}/compare/${input.parentSha}...${input.mergeSha}`)
    .query(true)
    .reply(200, { files, merge_base_commit: { sha: input.parentSha }, commits: [] });
  const blobs = new Map<string, string>();
  for (const [commit, tree] of [
    [input.parentSha, input.base],
    [input.mergeSha, input.head],
  ] as const) {
    const entries = Object.entries(tree).map(([path, text]) => ({ path, text, sha: blobShaOf(text) }));
    for (const e of entries) blobs.set(e.sha, e.text);
    scope
      .get(`${api}/git/trees/${commit}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: treeShaOf(commit),
        truncated: false,
        tree: entries.map((e) => ({
          path: e.path,
          mode: "100644",
          type: "blob",
          sha: e.sha,
          size: e.text.length,
        })),
      });
  }
  for (const [sha, text] of blobs)
    scope
      .get(`${api}/git/blobs/${sha}`)
      .reply(200, { sha, encoding: "base64", content: githubBase64(text), size: text.length });
}
