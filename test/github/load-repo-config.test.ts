import nock from "nock";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadRepoConfig } from "../../src/github/load-repo-config.js";
import { renderConfigProblems } from "../../src/github/render-config-problems.js";
import {
  contentFile,
  contentsPath,
  githubApi,
  mockConfigFile,
  mockInstallationToken,
  mockOrgConfigFile,
  NOT_FOUND,
} from "../helpers/github-nock.js";
import { createTestProbot } from "../helpers/probot.js";

const CONFIG = ".github/backflow.yml";
const ORG_FILE = "acme/.github:.github/backflow.yml";
let octokit: ProbotOctokit;

beforeEach(async () => {
  mockInstallationToken();
  const probot = await createTestProbot();
  octokit = await probot.auth(1);
});

afterEach(() => {
  nock.cleanAll();
});

const load = (ref?: string) =>
  loadRepoConfig({ octokit, owner: "acme", repo: "pipeline", ...(ref ? { ref } : {}) });

/** A file on another repository's default branch (bases are read there, as Probot reads them). */
function mockFile(scope: nock.Scope, owner: string, repo: string, path: string, text: string | null) {
  const interceptor = scope.get(contentsPath(owner, repo, path));
  return text === null ? interceptor.reply(404, NOT_FOUND) : interceptor.reply(200, contentFile(path, text));
}

describe("loadRepoConfig", () => {
  it("uses the defaults when neither the repository nor its organisation has a file", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "pipeline", ref: "abc", text: null });

    const result = await load("abc");

    expect(scope.isDone()).toBe(true);
    expect(result).toMatchObject({
      ok: true,
      source: "defaults",
      bases: [{ owner: "acme", repo: ".github", path: CONFIG }],
    });
  });

  it("uses the organisation's .github repository's file when the repository has none", async () => {
    const scope = githubApi();
    mockConfigFile(scope, {
      owner: "acme",
      repo: "pipeline",
      ref: "abc",
      text: null,
      orgText: "dialect: snowflake\n",
    });

    const result = await load("abc");

    expect(scope.isDone()).toBe(true);
    expect(result).toMatchObject({ ok: true, source: "organization", config: { dialect: "snowflake" } });
  });

  it("merges the organisation's defaults under the repository's own keys (_extends: .github)", async () => {
    const scope = githubApi();
    mockConfigFile(scope, {
      owner: "acme",
      repo: "pipeline",
      ref: "abc",
      text: "_extends: .github\nimpact:\n  breakingConclusion: failure\n",
    });
    mockOrgConfigFile(scope, {
      owner: "acme",
      text: "dialect: bigquery\nimpact:\n  severity:\n    - { path: 'legacy/**', level: warn }\n",
    });

    const result = await load("abc");

    expect(scope.isDone()).toBe(true);
    expect(result.ok && result.config.dialect).toBe("bigquery");
    expect(result.ok && result.config.impact).toEqual({
      breakingConclusion: "failure",
      severity: [{ path: "legacy/**", level: "warn" }],
    });
    expect(result.ok && result.source).toBe("file");
  });

  it("extends a path in another owner's repository, and that file's own base (a → b → c)", async () => {
    const scope = githubApi();
    mockConfigFile(scope, {
      owner: "acme",
      repo: "pipeline",
      text: "_extends: data-platform/settings:backflow/base.yml\n",
    });
    mockFile(scope, "data-platform", "settings", "backflow/base.yml", "_extends: root\nreview: weekly\n");
    // Relative to the file that says it: `root` is data-platform/root, at the default path.
    mockFile(scope, "data-platform", "root", CONFIG, "dialect: trino\nreview: quarterly\n");

    const result = await load();

    expect(scope.isDone()).toBe(true);
    expect(result.ok && [result.config.dialect, result.config.review]).toEqual(["trino", "weekly"]);
    expect(result.bases).toEqual([
      { owner: "data-platform", repo: "settings", path: "backflow/base.yml" },
      { owner: "data-platform", repo: "root", path: CONFIG },
    ]);
  });

  it("reads a base in the same repository at the same commit", async () => {
    const scope = githubApi();
    mockConfigFile(scope, {
      owner: "acme",
      repo: "pipeline",
      ref: "abc",
      text: "_extends: pipeline:.github/base.yml\n",
    });
    scope
      .get(contentsPath("acme", "pipeline", ".github/base.yml"))
      .query({ ref: "abc" })
      .reply(200, contentFile(".github/base.yml", "dialect: duckdb\n"));

    const result = await load("abc");

    expect(scope.isDone()).toBe(true);
    expect(result.ok && result.config.dialect).toBe("duckdb");
  });

  it("says which file is missing, and to create it or fix _extends, when the base does not exist", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "pipeline", text: "_extends: acme/settings\n" });
    mockFile(scope, "acme", "settings", CONFIG, null);

    const result = await load();

    expect(scope.isDone()).toBe(true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.file).toBe(CONFIG);
    expect(result.error.problems).toEqual([
      {
        path: "_extends",
        message: expect.stringContaining(
          "`_extends: acme/settings` points at acme/settings:.github/backflow.yml, which does not exist or which Backflow cannot read. Create that file, fix `_extends`",
        ),
      },
    ]);
    expect(result.bases).toEqual([{ owner: "acme", repo: "settings", path: CONFIG }]);
  });

  it("says the same for a private repository the installation may not read (403)", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "pipeline", text: "_extends: secret-org/settings\n" });
    scope.get(contentsPath("secret-org", "settings", CONFIG)).reply(403, {
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest",
      status: "403",
    });

    const result = await load();

    expect(scope.isDone()).toBe(true);
    expect(result.ok ? "" : result.error.problems[0]?.message).toContain(
      "if secret-org/settings is private — make sure Backflow is installed on it",
    );
  });

  it("rethrows a 403 that is a rate limit, so the job is retried", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "pipeline", text: "_extends: other/settings\n" });
    scope
      .get(contentsPath("other", "settings", CONFIG))
      .reply(
        403,
        { message: "API rate limit exceeded", documentation_url: "https://docs.github.com/rest" },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800" },
      );

    await expect(load()).rejects.toThrow();
  });

  it("reports a loop naming every file in it", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "pipeline", text: "_extends: .github\n" });
    mockOrgConfigFile(scope, { owner: "acme", text: "_extends: pipeline\n" });

    const result = await load();

    expect(scope.isDone()).toBe(true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.file).toBe(ORG_FILE);
    expect(result.error.problems[0]?.message).toBe(
      "`_extends` loops back to a file already read: .github/backflow.yml → acme/.github:.github/backflow.yml → .github/backflow.yml; remove one of them",
    );
  });

  it("names the organisation's file for its mistakes and the repository's for its own, in the check run's words", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "pipeline", text: "_extends: .github\ndialect: oracle\n" });
    mockOrgConfigFile(scope, { owner: "acme", text: "review: daily\n" });

    const result = await load();

    expect(result.ok).toBe(false);
    if (result.ok) return;
    const rendered = renderConfigProblems(result.error);
    expect(rendered).toContain("- `dialect`: must be one of");
    expect(rendered).toContain(`- \`${ORG_FILE}\` \`review\`: must be one of`);
    expect(result.error.message).toContain(`${ORG_FILE}: review: must be one of`);
  });

  it("names the organisation's file when the repository has none and the organisation's is invalid", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: "acme", repo: "pipeline", text: null, orgText: "dialect: [x]\n" });

    const result = await load();

    expect(result.ok ? "" : result.error.file).toBe(ORG_FILE);
  });

  it("returns every problem of an invalid file instead of throwing", async () => {
    const scope = githubApi();
    mockConfigFile(scope, {
      owner: "acme",
      repo: "pipeline",
      text: "dialect: oracle\nrollback: sometimes\n",
    });

    const result = await load();

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.error.problems.map((p) => p.path)).toEqual(["dialect", "rollback"]);
  });

  it("rethrows errors that are not about the config", async () => {
    githubApi()
      .get(contentsPath("acme", "pipeline", CONFIG))
      .reply(500, { message: "boom" });

    await expect(load()).rejects.toThrow();
  });
});
