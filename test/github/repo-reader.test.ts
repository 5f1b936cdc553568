import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  COMPARE_FILE_LIMIT,
  createRepoReader,
  diffTrees,
  type RepoReader,
} from "../../src/github/repo-reader.js";
import {
  contentFile,
  contentsPath,
  githubApi,
  githubBase64,
  mockInstallationToken,
  NOT_FOUND,
} from "../helpers/github-nock.js";
import { createTestProbot } from "../helpers/probot.js";

const REPO = "/repos/acme/pipeline";
let reader: RepoReader;

beforeEach(async () => {
  mockInstallationToken();
  const probot = await createTestProbot();
  const octokit = await probot.auth(1);
  reader = createRepoReader({ octokit, owner: "acme", repo: "pipeline" });
});

afterEach(() => {
  nock.cleanAll();
});

describe("createRepoReader", () => {
  it("lists every blob of a recursive tree", async () => {
    const scope = githubApi();
    scope
      .get(`${REPO}/git/trees/main`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t0",
        truncated: false,
        tree: [
          { path: "models", type: "tree", sha: "t1", mode: "040000" },
          { path: "models/a.sql", type: "blob", sha: "b1", size: 10, mode: "100644" },
        ],
      });

    expect(await reader.listTree("main")).toEqual([{ path: "models/a.sql", sha: "b1", size: 10 }]);
    expect(scope.isDone()).toBe(true);
  });

  it("completes a truncated listing by walking subtrees", async () => {
    const scope = githubApi();
    scope
      .get(`${REPO}/git/trees/main`)
      .query({ recursive: "1" })
      .reply(200, { sha: "t0", truncated: true, tree: [] });
    scope.get(`${REPO}/git/trees/main`).reply(200, {
      sha: "t0",
      truncated: false,
      tree: [
        { path: "README.md", type: "blob", sha: "b0", mode: "100644" },
        { path: "models", type: "tree", sha: "t1", mode: "040000" },
      ],
    });
    scope
      .get(`${REPO}/git/trees/t1`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "t1",
        truncated: false,
        tree: [{ path: "x/b.sql", type: "blob", sha: "b2", mode: "100644" }],
      });

    const paths = (await reader.listTree("main")).map((e) => e.path);

    expect(paths).toEqual(["README.md", "models/x/b.sql"]);
    expect(scope.isDone()).toBe(true);
  });

  it("decodes base64 blobs and files, and falls back to the blob API for large files", async () => {
    const scope = githubApi();
    scope
      .get(`${REPO}/git/blobs/b1`)
      .reply(200, { sha: "b1", encoding: "base64", content: githubBase64("select 1 -- é\n"), size: 14 });
    scope
      .get(contentsPath("acme", "pipeline", "models/big.sql"))
      .query({ ref: "main" })
      .reply(200, { ...contentFile("models/big.sql", ""), content: "", encoding: "none", sha: "b1" });
    scope
      .get(`${REPO}/git/blobs/b1`)
      .reply(200, { sha: "b1", encoding: "base64", content: githubBase64("big\n"), size: 4 });

    expect(await reader.readBlob("b1")).toBe("select 1 -- é\n");
    expect(await reader.readFile("models/big.sql", "main")).toBe("big\n");
    expect(scope.isDone()).toBe(true);
  });

  it("reads a missing file as null", async () => {
    githubApi()
      .get(contentsPath("acme", "pipeline", "nope.sql"))
      .query({ ref: "main" })
      .reply(404, NOT_FOUND);

    expect(await reader.readFile("nope.sql", "main")).toBeNull();
  });

  it("maps compared files with status, blob SHA and previous path", async () => {
    githubApi()
      .get(`${REPO}/compare/base...head`)
      .query({ per_page: "1", page: "1" })
      .reply(200, {
        merge_base_commit: { sha: "mb" },
        files: [
          { filename: "models/new.sql", status: "renamed", sha: "b9", previous_filename: "models/old.sql" },
          { filename: "models/gone.sql", status: "removed", sha: "b8" },
        ],
      });

    expect(await reader.compare("base", "head")).toEqual([
      { path: "models/new.sql", status: "renamed", sha: "b9", previousPath: "models/old.sql" },
      { path: "models/gone.sql", status: "removed", sha: "b8" },
    ]);
  });

  it("diffs the merge base's tree against head when GitHub's file list is full", async () => {
    const files = Array.from({ length: COMPARE_FILE_LIMIT }, (_, i) => ({
      filename: `f${i}`,
      status: "added",
      sha: "x",
    }));
    const scope = githubApi();
    scope
      .get(`${REPO}/compare/base...head`)
      .query(true)
      .reply(200, { merge_base_commit: { sha: "mb" }, files });
    const tree = (entries: Array<[string, string]>) => ({
      sha: "t",
      truncated: false,
      tree: entries.map(([path, sha]) => ({ path, sha, type: "blob", mode: "100644" })),
    });
    scope
      .get(`${REPO}/git/trees/mb`)
      .query({ recursive: "1" })
      .reply(
        200,
        tree([
          ["a", "1"],
          ["b", "2"],
        ]),
      );
    scope
      .get(`${REPO}/git/trees/head`)
      .query({ recursive: "1" })
      .reply(
        200,
        tree([
          ["a", "1"],
          ["b", "3"],
          ["c", "4"],
        ]),
      );

    expect(await reader.compare("base", "head")).toEqual([
      { path: "b", status: "modified", sha: "3" },
      { path: "c", status: "added", sha: "4" },
    ]);
  });
});

describe("createRepoReader: root tree and abort", () => {
  it("names the commit's root tree with its listing, in the same request", async () => {
    const scope = githubApi();
    scope
      .get(`${REPO}/git/trees/c0ffee`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "root-tree",
        truncated: false,
        tree: [{ path: "a.sql", type: "blob", sha: "b1", size: 3, mode: "100644" }],
      });
    expect(await reader.tree?.("c0ffee")).toEqual({
      sha: "root-tree",
      entries: [{ path: "a.sql", sha: "b1", size: 3 }],
    });
    expect(scope.isDone()).toBe(true);
  });

  it("aborts a slow request when its signal fires", async () => {
    mockInstallationToken();
    const octokit = await (await createTestProbot()).auth(1);
    const controller = new AbortController();
    const aborting = createRepoReader({
      octokit,
      owner: "acme",
      repo: "pipeline",
      signal: controller.signal,
    });
    githubApi().get(`${REPO}/git/blobs/b1`).delay(10_000).reply(200, { encoding: "base64", content: "" });
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    await expect(aborting.readBlob("b1")).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("diffTrees", () => {
  it("reports removed files with their old blob SHA", () => {
    expect(diffTrees([{ path: "x", sha: "1" }], [])).toEqual([{ path: "x", status: "removed", sha: "1" }]);
  });
});
