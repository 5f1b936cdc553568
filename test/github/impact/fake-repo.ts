import { createHash } from "node:crypto";
import type nock from "nock";
import { githubBase64 } from "../../helpers/github-nock.js";

/** The Git blob SHA of a text, as GitHub computes it. */
export function blobSha(text: string): string {
  const body = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

/**
 * Serves a repository's commits through the Git trees and blobs API (persisted interceptors), as
 * GitHub answers them. Blob reads are counted per SHA so tests can assert what was fetched.
 */
export function mockGitRepo(
  scope: nock.Scope,
  input: { owner: string; repo: string; commits: Record<string, ReadonlyMap<string, string>> },
): { blobReads: Map<string, number> } {
  const blobs = new Map<string, string>();
  const blobReads = new Map<string, number>();
  const prefix = `/repos/${input.owner}/${input.repo}`;
  for (const [commit, files] of Object.entries(input.commits)) {
    const tree = [...files].map(([path, text]) => {
      const sha = blobSha(text);
      blobs.set(sha, text);
      return {
        path,
        mode: "100644",
        type: "blob",
        sha,
        size: Buffer.byteLength(text),
        url: `https://api.github.com${prefix}/git/blobs/${sha}`,
      };
    });
    scope
      .get(`${prefix}/git/trees/${commit}`)
      .query({ recursive: "1" })
      .reply(200, { sha: commit, url: "", tree, truncated: false })
      .persist();
  }
  scope
    .get(new RegExp(`^${prefix}/git/blobs/[0-9a-f]{40}$`))
    .reply((uri) => {
      const sha = uri.split("/").pop() ?? "";
      blobReads.set(sha, (blobReads.get(sha) ?? 0) + 1);
      const text = blobs.get(sha);
      if (text === undefined) return [404, { message: "Not Found" }];
      return [
        200,
        {
          sha,
          node_id: "B",
          size: Buffer.byteLength(text),
          url: "",
          content: githubBase64(text),
          encoding: "base64",
        },
      ];
    })
    .persist();
  return { blobReads };
}

/** Answers the compare API with the given changed files (from the merge base). */
export function mockCompare(
  scope: nock.Scope,
  input: {
    owner: string;
    repo: string;
    base: string;
    head: string;
    files: ReadonlyMap<string, string>;
    changed: readonly string[];
  },
): nock.Scope {
  return scope
    .get(`/repos/${input.owner}/${input.repo}/compare/${input.base}...${input.head}`)
    .query({ per_page: "1", page: "1" })
    .reply(200, {
      merge_base_commit: { sha: input.base },
      files: input.changed.map((filename) => ({
        filename,
        status: input.files.has(filename) ? "modified" : "removed",
        sha: blobSha(input.files.get(filename) ?? ""),
      })),
    });
}
