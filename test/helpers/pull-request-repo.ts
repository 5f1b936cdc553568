import type nock from "nock";
import { mockCompare, mockGitRepo } from "../github/impact/fake-repo.js";
import { mockConfigFile } from "./github-nock.js";

/** A pull request's files: the whole repository at base and at head, and the paths the PR changed. */
export type PullRequestFiles = {
  readonly base: ReadonlyMap<string, string>;
  readonly head: ReadonlyMap<string, string>;
  readonly changed: readonly string[];
};

const STAGING_BASE = "select id, customer_id, amount\nfrom raw.orders\n";
const STAGING_HEAD = "select id, customer_id\nfrom raw.orders\n";

/**
 * A two-model dbt project without `.github/backflow.yml` (so the defaults apply) where the pull
 * request drops `stg_orders.amount`, which `customer_revenue` sums: a breaking change that reaches
 * one downstream model, so the impact check asks for an owner's acknowledgement.
 */
export function droppedColumnPullRequest(): PullRequestFiles {
  const base = new Map([
    ["dbt_project.yml", 'name: shop\nmodel-paths: ["models"]\n'],
    ["models/stg_orders.sql", STAGING_BASE],
    [
      "models/customer_revenue.sql",
      "select customer_id, sum(amount) as revenue\nfrom {{ ref('stg_orders') }}\ngroup by customer_id\n",
    ],
  ]);
  const head = new Map([...base, ["models/stg_orders.sql", STAGING_HEAD]]);
  return { base, head, changed: ["models/stg_orders.sql"] };
}

/**
 * Serves everything the impact check reads for one pull request, as GitHub answers it: the config
 * at head (404 when the head has none), both commits' trees and blobs, and the compare. All
 * interceptors persist, so redeliveries and racing deliveries can read them again.
 */
export function mockPullRequestRepo(
  scope: nock.Scope,
  input: {
    owner: string;
    repo: string;
    baseSha: string;
    headSha: string;
    files: PullRequestFiles;
  },
): { blobReads: Map<string, number> } {
  const { owner, repo, baseSha, headSha, files } = input;
  mockConfigFile(scope, {
    owner,
    repo,
    ref: headSha,
    text: files.head.get(".github/backflow.yml") ?? null,
  }).persist();
  const git = mockGitRepo(scope, { owner, repo, commits: { [baseSha]: files.base, [headSha]: files.head } });
  mockCompare(scope, {
    owner,
    repo,
    base: baseSha,
    head: headSha,
    files: files.head,
    changed: files.changed,
  }).persist();
  return git;
}
