import nock from "nock";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { CONFIG_PATH } from "../../../src/core/config/schema.js";
import { loadTriageContext } from "../../../src/github/drift/load-triage-context.js";
import { loadSnapshots, saveAnalyses } from "../../../src/github/impact/load-snapshots.js";
import { buildProposalFor } from "../../../src/github/proposals/build-proposal-for.js";
import { loadDefaultBranch } from "../../../src/github/proposals/load-default-branch.js";
import { loadRepoContext } from "../../../src/github/repo-context/load-repo-context.js";
import { createRepoReader } from "../../../src/github/repo-reader.js";
import { sharedAnalysisPool } from "../../../src/jobs/analysis-pool.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { finding } from "../../core/proposals/fixtures.js";
import { githubApi } from "../../helpers/github-nock.js";
import { checkRequest, takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { testOctokit } from "../drift/drift-harness.js";
import { exampleFiles } from "../drift/fake-github.js";
import { blobSha, mockGitRepo } from "../impact/fake-repo.js";

const OWNER = "acme";
const REPO = "shop";
const BASE = "ba5e000000000000000000000000000000000001";
const SHA = "c0ffee0000000000000000000000000000000001";

/**
 * The example dbt shop at SHA, with what lineage reads beyond SQL: a project macro a model calls (its
 * cached analysis is keyed by the macros it reaches), a `select *` over a source only the configured
 * `lineage.catalog` describes, and the contracts' declared columns.
 */
function headFiles(): Map<string, string> {
  const files = exampleFiles(
    `${exampleFiles().get(CONFIG_PATH) ?? ""}\nlineage:\n  catalog: target/catalog.json\n`,
  );
  files.set("macros/cents.sql", "{% macro cents(col) %}({{ col }} / 100.0){% endmacro %}\n");
  files.set(
    "models/marts/refund_amounts.sql",
    "select refund_id, {{ cents('amount_cents') }} as amount from {{ ref('stg_refunds') }}\n",
  );
  files.set("models/staging/stg_refunds.sql", "select * from {{ source('raw', 'refunds') }}\n");
  files.set(
    "models/staging/_refunds.yml",
    "version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: refunds\n",
  );
  files.set(
    "target/catalog.json",
    JSON.stringify({
      nodes: {},
      sources: {
        "source.shop.raw.refunds": {
          metadata: { schema: "raw", name: "refunds" },
          columns: {
            REFUND_ID: { name: "refund_id", index: 1 },
            AMOUNT_CENTS: { name: "amount_cents", index: 2 },
          },
        },
      },
    }),
  );
  return files;
}

/** The same shop before the refunds models (the pull request's base). */
function baseFiles(): Map<string, string> {
  const files = headFiles();
  files.delete("models/marts/refund_amounts.sql");
  return files;
}

let octokit: ProbotOctokit;
const stores: Store[] = [];
const freshStore = () => {
  const store = openSqliteStore(":memory:");
  stores.push(store);
  return store;
};

/** Default branch `main` at SHA; both commits' trees and blobs; the comparison BASE...SHA. */
function mockRepository(): { blobReads: Map<string, number> } {
  const scope = githubApi({ persist: true });
  scope.get(`/repos/${OWNER}/${REPO}`).reply(200, { id: 1, name: REPO, default_branch: "main" });
  scope
    .get(`/repos/${OWNER}/${REPO}/git/ref/${encodeURIComponent("heads/main")}`)
    .reply(200, { ref: "refs/heads/main", object: { sha: SHA, type: "commit" } });
  scope
    .get(`/repos/${OWNER}/${REPO}/compare/${BASE}...${SHA}`)
    .query(true)
    .reply(200, {
      merge_base_commit: { sha: BASE },
      files: [
        {
          filename: "models/marts/refund_amounts.sql",
          status: "added",
          sha: blobSha(headFiles().get("models/marts/refund_amounts.sql") ?? ""),
        },
      ],
    });
  return mockGitRepo(scope, {
    owner: OWNER,
    repo: REPO,
    commits: { [BASE]: baseFiles(), [SHA]: headFiles() },
  });
}

/** The GitHub requests made since the last call, as `METHOD path`, each checked against GitHub's OpenAPI. */
function requests(): string[] {
  const taken = takeRecordedRequests().filter((r) => !r.path.includes("access_tokens"));
  expect(taken.flatMap(checkRequest)).toEqual([]);
  return taken.map((r) => `${r.method} ${r.path.split("?")[0]}`);
}

/** The impact check's head side, exactly as runImpactCheck builds it. */
async function impactHead(store: Store) {
  const reader = createRepoReader({ octokit, owner: OWNER, repo: REPO });
  const api = { calls: 0 };
  const snapshots = await loadSnapshots({ reader, store, baseSha: BASE, headSha: SHA, api });
  const config = parseConfig(snapshots.head.files.get(CONFIG_PATH), CONFIG_PATH);
  const analyzed = await sharedAnalysisPool().analyzeImpact({
    base: snapshots.base,
    head: snapshots.head,
    config,
    changedFiles: snapshots.changed,
    cache: snapshots.cache,
    dbtCache: snapshots.dbtCache,
  });
  await saveAnalyses({ store, snapshots, analyses: analyzed.analyses, dbtReads: analyzed.dbtReads });
  return { graph: analyzed.headGraph, head: snapshots.head, api };
}

const triage = (store: Store) =>
  loadTriageContext({ octokit, store, owner: OWNER, repo: REPO, api: { calls: 0 } });

async function proposal(store: Store) {
  const base = await loadDefaultBranch({ octokit, store, owner: OWNER, repo: REPO });
  return buildProposalFor({
    octokit,
    store,
    owner: OWNER,
    repo: REPO,
    base,
    finding: finding({ tableId: "fct_orders", column: "customer_id" }),
    kind: "cleansing",
  });
}

/** Lineage edges as `source.column → table.column` lines: what every flow must agree on. */
function edges(graph: {
  tables: Array<{
    id: string;
    columns: Array<{ name: string; sources: Array<{ table: string; column: string }> }>;
  }>;
}) {
  return graph.tables
    .flatMap((t) =>
      t.columns.flatMap((c) => c.sources.map((s) => `${s.table}.${s.column} → ${t.id}.${c.name}`)),
    )
    .sort();
}

beforeEach(async () => {
  octokit = await testOctokit();
});

afterEach(async () => {
  nock.cleanAll();
  for (const store of stores.splice(0)) await store.close();
});

describe("one repo-context loader for impact, triage and proposals", () => {
  it("builds the same lineage, declared columns and contracts for one commit through all three entry points", async () => {
    mockRepository();
    const impact = await impactHead(freshStore());
    const triaged = await triage(freshStore());
    const proposed = await proposal(freshStore());

    // The catalog's columns expand the select *, and the macro renders: both reach the lineage.
    expect(edges(triaged.graph)).toContain("stg_refunds.amount_cents → refund_amounts.amount");
    expect(edges(triaged.graph)).toContain("raw.refunds.amount_cents → stg_refunds.amount_cents");
    expect(triaged.contracts.length).toBeGreaterThan(0);

    expect(impact.graph).toEqual(triaged.graph);
    expect(proposed.graph).toEqual(triaged.graph);
    expect(edges(impact.graph)).toEqual(edges(triaged.graph));
    expect(proposed.contracts).toEqual(triaged.contracts);
    expect(proposed.config).toEqual(triaged.config);
    // The impact check's head side is the same pure builder over the same files (catalog included),
    // so its contracts are these too.
    expect(impact.head.files).toEqual(triaged.commit.files);
    expect(impact.head.shas).toEqual(triaged.commit.shas);
    expect(triaged.commit.files.has("target/catalog.json")).toBe(true);
    requests();
  });

  it("serves a second load of the same commit from the cache, with the same lineage", async () => {
    const { blobReads } = mockRepository();
    const store = freshStore();
    const cold = await triage(store);
    const coldRequests = requests();
    expect(coldRequests.filter((r) => r.includes("/git/trees/"))).toHaveLength(1);
    expect(coldRequests.filter((r) => r.includes("/git/blobs/")).length).toBe(blobReads.size);

    const warm = await triage(store);
    // Only the default branch's head is asked again: the tree, texts, analyses and dbt reads are cached.
    expect(requests()).toEqual([
      `GET /repos/${OWNER}/${REPO}`,
      `GET /repos/${OWNER}/${REPO}/git/ref/heads%2Fmain`,
    ]);
    expect(warm.graph).toEqual(cold.graph);
    expect(warm.contracts).toEqual(cold.contracts);

    // At a known commit, nothing at all; and the impact check on the same store reuses it too.
    const api = { calls: 0 };
    const atSha = await loadRepoContext({ octokit, store, owner: OWNER, repo: REPO, sha: SHA, api });
    expect(requests()).toEqual([]);
    expect(api.calls).toBe(0);
    expect(atSha.graph).toEqual(cold.graph);
    const impact = await impactHead(store);
    expect(impact.graph).toEqual(cold.graph);
    expect([...blobReads.values()].every((n) => n === 1)).toBe(true);
  });

  it("stops waiting when the job's signal aborts, before any request", async () => {
    mockRepository();
    const controller = new AbortController();
    controller.abort(new Error("lease lost"));
    await expect(
      loadTriageContext({
        octokit,
        store: freshStore(),
        owner: OWNER,
        repo: REPO,
        api: { calls: 0 },
        signal: controller.signal,
      }),
    ).rejects.toThrow("lease lost");
    expect(requests()).toEqual([]);
  });
});
