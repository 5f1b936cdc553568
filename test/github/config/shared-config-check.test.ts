import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_PATH } from "../../../src/core/config/schema.js";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import {
  CONFIG_EXTENDED_BY_KEY,
  CONFIG_EXTENDS_KEY,
  readConfigExtends,
} from "../../../src/github/config/config-dependents.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import {
  contentFile,
  contentsPath,
  githubApi,
  mockConfigFile,
  mockInstallationToken,
  mockOrgConfigFile,
} from "../../helpers/github-nock.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { mockCompare, mockGitRepo } from "../impact/fake-repo.js";
import { BASE, HEAD, mockCheckRuns, prPayload } from "../impact/shop-pull-request.js";

const NOW = new Date("2025-06-01T12:00:00Z");
const ORG = "acme";
const ORG_FILE = `${ORG}/.github:${CONFIG_PATH}`;
/** The organisation's defaults on its `.github` repository's default branch. */
const ORG_DEFAULTS = "review: weekly\nimpact:\n  breakingConclusion: action_required\n";

let store: Store;
let probot: Probot;
let installationId: number;

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

/**
 * Installs Backflow on the organisation (a real `installation.created` payload): each repository's
 * config is validated, which records what it extends. app extends the organisation's defaults and
 * sets its dialect; web has no file (the organisation's applies); legacy sets `review` itself;
 * reports extends a path in another repository.
 */
async function install() {
  const repos = ["app", "web", "legacy", "reports", "settings", ".github"];
  const payload = loadPayload("installation", { action: "created" });
  installationId = (payload.installation as { id: number }).id;
  mockInstallationToken(installationId);
  const scope = githubApi();
  mockConfigFile(scope, { owner: ORG, repo: "app", text: "_extends: .github\ndialect: bigquery\n" });
  mockConfigFile(scope, { owner: ORG, repo: "web", text: null, orgText: ORG_DEFAULTS });
  mockConfigFile(scope, { owner: ORG, repo: "legacy", text: "_extends: acme/.github\nreview: monthly\n" });
  mockConfigFile(scope, { owner: ORG, repo: "reports", text: "_extends: settings:shared/backflow.yml\n" });
  mockConfigFile(scope, { owner: ORG, repo: "settings", text: null, orgText: ORG_DEFAULTS });
  mockConfigFile(scope, { owner: ORG, repo: ".github", text: ORG_DEFAULTS });
  mockOrgConfigFile(scope, { owner: ORG, text: ORG_DEFAULTS });
  mockOrgConfigFile(scope, { owner: ORG, text: ORG_DEFAULTS });
  scope
    .get(contentsPath(ORG, "settings", "shared/backflow.yml"))
    .reply(200, contentFile("shared/backflow.yml", "dialect: snowflake\n"));
  await receive(probot, "installation", {
    ...payload,
    repositories: repos.map((name, i) => ({
      id: i + 1,
      node_id: `R${i}`,
      name,
      full_name: `${ORG}/${name}`,
      private: true,
    })),
  });
  expect(scope.isDone()).toBe(true);
}

/** A pull request in `repo` that changes `path` from `before` to `after`; returns the check run writes. */
async function openPullRequest(input: { repo: string; path: string; before: string; after: string }) {
  const { repo, path, before, after } = input;
  const payload = prPayload("opened", HEAD, {
    repository: { name: repo, full_name: `${ORG}/${repo}`, owner: { login: ORG } },
    installation: { id: installationId },
  });
  const scope = githubApi();
  const headConfig = path === CONFIG_PATH ? after : null;
  mockConfigFile(scope, { owner: ORG, repo, ref: HEAD, text: headConfig, orgText: ORG_DEFAULTS }).persist();
  const head = new Map([[path, after]]);
  mockGitRepo(scope, { owner: ORG, repo, commits: { [BASE]: new Map([[path, before]]), [HEAD]: head } });
  mockCompare(scope, { owner: ORG, repo, base: BASE, head: HEAD, files: head, changed: [path] });
  for (const [sha, text] of [
    [BASE, before],
    [HEAD, after],
  ] as const) {
    scope
      .get(contentsPath(ORG, repo, path))
      .query({ ref: sha })
      .reply(200, contentFile(path, text))
      .persist();
  }
  const bodies = mockCheckRuns(scope, ORG, repo);
  await receive(probot, "pull_request", payload);
  const done = bodies.find((b) => b.method === "PATCH")?.body ?? bodies.at(-1)?.body;
  return { done, summary: done?.output?.summary ?? "" };
}

describe("organisation-wide configuration", () => {
  it("records on install which shared files each repository extends", async () => {
    await install();

    const extendedBy = await store.repoState.get<{ files: Record<string, string[]> }>({
      repo: repoKeyOf(ORG, ".github"),
      key: CONFIG_EXTENDED_BY_KEY,
    });
    expect(extendedBy?.files).toEqual({
      [CONFIG_PATH]: ["acme/app", "acme/legacy", "acme/settings", "acme/web"],
    });
    const settings = await store.repoState.get<{ files: Record<string, string[]> }>({
      repo: repoKeyOf(ORG, "settings"),
      key: CONFIG_EXTENDED_BY_KEY,
    });
    expect(settings?.files).toEqual({ "shared/backflow.yml": ["acme/reports"] });
    const app = await readConfigExtends(store, repoKeyOf(ORG, "app"));
    expect(app?.bases).toEqual([{ owner: ORG, repo: ".github", path: CONFIG_PATH }]);
    expect(app?.layers.map((l) => l.value)).toEqual([
      { dialect: "bigquery" },
      { review: "weekly", impact: { breakingConclusion: "action_required" } },
    ]);
    expect(
      await store.repoState.get({ repo: repoKeyOf(ORG, ".github"), key: CONFIG_EXTENDS_KEY }),
    ).toMatchObject({ bases: [] });
  });

  it("names the repositories a change to the organisation's .github file alters, and the ones it does not", async () => {
    await install();

    const { done, summary } = await openPullRequest({
      repo: ".github",
      path: CONFIG_PATH,
      before: ORG_DEFAULTS,
      after: "review: quarterly\nimpact:\n  breakingConclusion: action_required\n",
    });

    expect(done?.conclusion).toBe("success");
    expect(summary).toContain("### Shared configuration");
    expect(summary).toContain(`#### \`${ORG_FILE}\` (modified)`);
    expect(summary).toContain(
      "4 repositories known to extend this file; this change alters the configuration of 3 repositories (1 set the changed keys themselves).",
    );
    expect(summary).toContain("| `acme/app` | changes `review` |");
    expect(summary).toContain("| `acme/web` | changes `review` |");
    expect(summary).toContain("| `acme/settings` | changes `review` |");
    expect(summary).not.toContain("acme/legacy");
    expect(summary).toContain("repositories not validated since 2025-06-01 are not listed");
  });

  it("fails the check when the organisation's new file does not validate, naming the repositories it breaks", async () => {
    await install();

    const { done, summary } = await openPullRequest({
      repo: ".github",
      path: CONFIG_PATH,
      before: ORG_DEFAULTS,
      after: "_extends: .github\n",
    });

    // The .github repository's own config is the shared file: the check fails as for any invalid config…
    expect(done?.conclusion).toBe("failure");
    expect(summary).toContain("This pull request changes `.github/backflow.yml`, and it does not validate");
    expect(summary).toContain(
      "loops back to a file already read: .github/backflow.yml → .github/backflow.yml",
    );
    // …and says which repositories would get the error.
    expect(summary).toContain("this change alters the configuration of 4 repositories");
    expect(summary).toContain(
      "| `acme/legacy` | **becomes invalid** — `_extends`: \\`\\_extends\\` loops back to a file already read",
    );
  });

  it("reports a shared file at another path that would break the repositories extending it", async () => {
    await install();

    const { done, summary } = await openPullRequest({
      repo: "settings",
      path: "shared/backflow.yml",
      before: "dialect: snowflake\n",
      after: "dialect: cobol\n",
    });

    expect(done?.conclusion).toBe("failure");
    expect(done?.output?.title).toMatch(/^Shared configuration invalid · /);
    expect(summary).toContain("#### `acme/settings:shared/backflow.yml` (modified)");
    expect(summary).toContain("**The new file does not validate** (1 problem)");
    expect(summary).toContain("- `acme/settings:shared/backflow.yml` `dialect`: must be one of");
    expect(summary).toContain("| `acme/reports` | **becomes invalid** — `dialect`: must be one of");
    expect(summary).toContain(
      "1 repository known to extend this file; this change alters the configuration of 1 repository.",
    );
  });

  it("re-validates the repositories extending a shared file pushed to the default branch, opening their tracking issues", async () => {
    const install = loadPayload("installation", { action: "created" });
    installationId = (install.installation as { id: number }).id;
    mockInstallationToken(installationId);
    const setup = githubApi();
    mockConfigFile(setup, { owner: ORG, repo: "app", text: "_extends: .github\ndialect: bigquery\n" });
    mockConfigFile(setup, { owner: ORG, repo: ".github", text: ORG_DEFAULTS });
    mockOrgConfigFile(setup, { owner: ORG, text: ORG_DEFAULTS });
    await receive(probot, "installation", {
      ...install,
      repositories: ["app", ".github"].map((name, i) => ({
        id: i + 1,
        node_id: `R${i}`,
        name,
        full_name: `${ORG}/${name}`,
        private: true,
      })),
    });
    expect(setup.isDone()).toBe(true);

    const match = (e: Record<string, unknown>) =>
      e.deleted === false && Array.isArray(e.commits) && e.commits.length > 0;
    const base = loadPayload("push", { match });
    const [commit] = base.commits as Array<Record<string, unknown>>;
    const push = loadPayload("push", {
      match,
      overrides: {
        ref: "refs/heads/main",
        repository: {
          name: ".github",
          full_name: `${ORG}/.github`,
          owner: { login: ORG, name: ORG },
          default_branch: "main",
        },
        installation: { id: installationId },
        commits: [{ ...commit, added: [], removed: [], modified: [CONFIG_PATH] }],
      },
    });
    const after = push.after as string;
    const APP_HEAD = "c".repeat(40);
    const scope = githubApi();
    const broken = "review: daily\n";
    mockConfigFile(scope, { owner: ORG, repo: ".github", ref: after, text: broken });
    mockOrgConfigFile(scope, { owner: ORG, text: broken });
    scope
      .get(`/repos/${ORG}/app`)
      .reply(200, { id: 1, name: "app", full_name: `${ORG}/app`, default_branch: "main" });
    scope
      .get(`/repos/${ORG}/app/git/ref/${encodeURIComponent("heads/main")}`)
      .reply(200, { ref: "refs/heads/main", object: { sha: APP_HEAD, type: "commit" } });
    mockConfigFile(scope, {
      owner: ORG,
      repo: "app",
      ref: APP_HEAD,
      text: "_extends: .github\ndialect: bigquery\n",
    });
    const issues: Record<string, { title: string; body: string }> = {};
    for (const repo of [".github", "app"]) {
      scope.get(`/repos/${ORG}/${repo}/issues`).query(true).reply(200, []);
      scope
        .post(`/repos/${ORG}/${repo}/issues`, (b) => {
          issues[repo] = { title: b.title, body: b.body };
          return true;
        })
        .reply(201, { number: 3 });
    }

    await receive(probot, "push", push);

    expect(scope.isDone()).toBe(true);
    expect(issues[".github"]?.body).toContain("- `review`: must be one of");
    expect(issues.app?.title).toBe("Backflow: .github/backflow.yml on main is invalid");
    expect(issues.app?.body).toContain(`- \`${ORG_FILE}\` \`review\`: must be one of`);
    expect(issues.app?.body).toContain("a file named before a key is one this configuration extends");
    const audit = await store.audit.list({ repo: "acme/app" });
    expect(audit.map((a) => [a.action, (a.detail as { trigger?: string }).trigger]).sort()).toEqual([
      ["config.invalid", "shared-config"],
      ["config.valid", "installation.created"],
    ]);
  });

  it("learns what a repository added to the installation extends (installation_repositories.added)", async () => {
    const payload = loadPayload("installation_repositories", { action: "added" });
    installationId = (payload.installation as { id: number }).id;
    mockInstallationToken(installationId);
    const scope = githubApi();
    mockConfigFile(scope, { owner: ORG, repo: "late", text: null, orgText: ORG_DEFAULTS });

    await receive(probot, "installation_repositories", {
      ...payload,
      repositories_added: [{ id: 9, node_id: "R9", name: "late", full_name: `${ORG}/late`, private: true }],
    });

    expect(scope.isDone()).toBe(true);
    const extendedBy = await store.repoState.get<{ files: Record<string, string[]> }>({
      repo: repoKeyOf(ORG, ".github"),
      key: CONFIG_EXTENDED_BY_KEY,
    });
    expect(extendedBy?.files[CONFIG_PATH]).toEqual(["acme/late"]);
  });
});
