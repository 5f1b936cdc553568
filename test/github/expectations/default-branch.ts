import { createHash } from "node:crypto";
import type nock from "nock";
import { contentsPath, githubBase64, NOT_FOUND } from "../../helpers/github-nock.js";

export const HEAD_SHA = "1111111111111111111111111111111111111111";
export const TREE_SHA = "2222222222222222222222222222222222222222";

const blobSha = (text: string) =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");

/**
 * Answers what loading the default branch's lineage asks for: the repository, the branch ref, the
 * tree, the (empty) comparison of the commit with itself, each file's blob and, without a config
 * file, the organisation's default config (404). Persisted, so
 * concurrent and repeated loads are all answered.
 */
export function mockDefaultBranch(
  scope: nock.Scope,
  input: { owner: string; repo: string; files: Record<string, string> },
): void {
  const api = `/repos/${input.owner}/${input.repo}`;
  const entries = Object.entries(input.files).map(([path, text]) => ({ path, text, sha: blobSha(text) }));
  scope.persist();
  scope.get(api).reply(200, {
    id: 1,
    name: input.repo,
    full_name: `${input.owner}/${input.repo}`,
    default_branch: "master",
  });
  scope
    .get(`${api}/git/ref/heads%2Fmaster`)
    .reply(200, { ref: "refs/heads/master", object: { sha: HEAD_SHA, type: "commit" } });
  scope
    .get(`${api}/git/ref/heads/master`)
    .reply(200, { ref: "refs/heads/master", object: { sha: HEAD_SHA, type: "commit" } });
  scope
    .get(`${api}/git/trees/${HEAD_SHA}`)
    .query({ recursive: "1" })
    .reply(200, {
      sha: TREE_SHA,
      truncated: false,
      tree: entries.map((e) => ({
        path: e.path,
        mode: "100644",
        type: "blob",
        sha: e.sha,
        size: e.text.length,
      })),
    });
  scope
    .get(`${api}/compare/${HEAD_SHA}...${HEAD_SHA}`)
    .query(true)
    .reply(200, { files: [], merge_base_commit: { sha: HEAD_SHA }, commits: [] });
  if (!(".github/backflow.yml" in input.files) && input.repo !== ".github") {
    // Without a config of its own the repository gets its organisation's default (Probot's rule): none here.
    scope
      .get(contentsPath(input.owner, ".github", ".github/backflow.yml"))
      .optionally()
      .reply(404, NOT_FOUND);
  }
  for (const e of entries) {
    scope
      .get(`${api}/git/blobs/${e.sha}`)
      .reply(200, { sha: e.sha, encoding: "base64", content: githubBase64(e.text), size: e.text.length });
  }
}

export const SHOP_FILES: Record<string, string> = {
  "models/orders.sql": "select o.id as order_id, o.customer_id, o.amount\nfrom raw.orders o\n",
  "models/fct_revenue.sql": "select customer_id, sum(amount) as revenue\nfrom orders\ngroup by customer_id\n",
};
