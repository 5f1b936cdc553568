/**
 * The App's commit loader reads dbt seeds' CSVs for their header: only CSVs under a project's seed paths,
 * only those of at most MAX_SEED_BYTES (a blob is read whole), and keeps the header line only.
 */
import nock from "nock";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { buildLineage } from "../../../src/core/lineage/build-lineage.js";
import { loadCommitFiles, MAX_SEED_BYTES } from "../../../src/github/repo-context/commit-files.js";
import { createRepoReader } from "../../../src/github/repo-reader.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { columnSummary, tableOf } from "../../core/lineage/helpers.js";
import { githubApi } from "../../helpers/github-nock.js";
import { checkRequest, takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { testOctokit } from "../drift/drift-harness.js";
import { blobSha, mockGitRepo } from "../impact/fake-repo.js";

const OWNER = "acme";
const REPO = "shop";
const SHA = "c0ffee0000000000000000000000000000000002";

let octokit: ProbotOctokit;
let store: Store;

beforeEach(async () => {
  octokit = await testOctokit();
  store = openSqliteStore(":memory:");
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

describe("seed CSVs in the commit loader", () => {
  it("reads small seeds under seed-paths for their header, and leaves big seeds and other CSVs unread", async () => {
    const big = `id,huge\n${"1,2\n".repeat(MAX_SEED_BYTES / 4 + 1)}`;
    const files = new Map([
      ["dbt/dbt_project.yml", "name: shop\nseed-paths: ['data']\n"],
      ["dbt/data/codes.csv", "code,label\n1,one\n2,two\n"],
      ["dbt/data/big.csv", big],
      ["dbt/seeds/elsewhere.csv", "a\n"],
      ["exports/report.csv", "x,y\n"],
      ["dbt/models/m.sql", "select * from {{ ref('codes') }}"],
    ]);
    const { blobReads } = mockGitRepo(githubApi({ persist: true }), {
      owner: OWNER,
      repo: REPO,
      commits: { [SHA]: files },
    });
    const reader = createRepoReader({ octokit, owner: OWNER, repo: REPO });
    const loaded = await loadCommitFiles({ reader, store, commit: SHA, api: { calls: 0 } });
    expect(takeRecordedRequests().flatMap(checkRequest)).toEqual([]);

    const csvs = [...loaded.files].filter(([path]) => path.endsWith(".csv"));
    expect(csvs).toEqual([["dbt/data/codes.csv", "code,label"]]);
    expect(blobReads.has(blobSha(big))).toBe(false);
    expect(blobReads.has(blobSha("x,y\n"))).toBe(false);

    const { graph } = buildLineage(loaded.files, parseConfig("dialect: postgres\n"), { shas: loaded.shas });
    expect(columnSummary(tableOf(graph, "m"))).toEqual([
      "code: passthrough <- codes.code",
      "label: passthrough <- codes.label",
    ]);
  });
});
