import type nock from "nock";
import { CONFIG_PATH } from "../../../src/core/config/schema.js";
import { IMPACT_CHECK_NAME } from "../../../src/github/services/plan-impact-check.js";
import { exampleScenario } from "../../core/impact/example-scenarios.js";
import { contentFile, contentsPath, githubApi } from "../../helpers/github-nock.js";
import { loadPayload } from "../../helpers/payloads.js";
import { TEST_APP_ID } from "../../helpers/probot.js";
import { mockCompare, mockGitRepo } from "./fake-repo.js";

export const BASE = "a".repeat(40);
export const HEAD = "b".repeat(40);

export type CheckRunBody = Record<string, unknown> & {
  output?: { title?: string; summary?: string; text?: string; annotations?: unknown[] };
  actions?: unknown[];
};

/** A real `pull_request` example payload on BASE...`head`, with `overrides` merged in. */
export function prPayload(action = "opened", head = HEAD, overrides: Record<string, unknown> = {}) {
  const { pull_request: pr = {}, ...rest } = overrides;
  return loadPayload("pull_request", {
    action,
    overrides: { ...rest, pull_request: { base: { sha: BASE }, head: { sha: head }, ...(pr as object) } },
  });
}

/**
 * A `pull_request.edited` payload whose body is now `body`. @octokit/webhooks-examples has no
 * `edited` example, so a real `opened` one gets the action and the `changes` GitHub sends.
 */
export function editedPayload(input: { body: string; changes: Record<string, unknown>; head?: string }) {
  const payload = prPayload("opened", input.head ?? HEAD, {
    action: "edited",
    changes: input.changes,
    pull_request: { body: input.body },
  });
  return payload;
}

export function repoOf(payload: Record<string, unknown>) {
  const repository = payload.repository as { name: string; owner: { login: string } };
  return { owner: repository.owner.login, repo: repository.name };
}

/** A pull request on the example shop: base = the shop, head = the shop with the scenario's files. */
export function mockShopPullRequest(
  scenario: "breaking" | "non-breaking",
  payload: Record<string, unknown>,
  head = HEAD,
) {
  const { owner, repo } = repoOf(payload);
  const s = exampleScenario(scenario);
  const scope = githubApi();
  scope
    .get(contentsPath(owner, repo, CONFIG_PATH))
    .query({ ref: head })
    .reply(200, contentFile(CONFIG_PATH, s.head.get(CONFIG_PATH) ?? ""))
    .persist();
  const git = mockGitRepo(scope, { owner, repo, commits: { [BASE]: s.base, [head]: s.head } });
  mockCompare(scope, { owner, repo, base: BASE, head, files: s.head, changed: s.changed }).persist();
  return { scope, owner, repo, git, scenario: s };
}

export type CheckRunWrite = { method: string; body: CheckRunBody };

/**
 * The SHA's check run on GitHub: none at first, one create, any number of updates. Returns the
 * writes in order; pass an earlier call's array as `into` when a test mocks several SHAs, because
 * nock may answer a later SHA's writes with an earlier mock.
 */
export function mockCheckRuns(
  scope: nock.Scope,
  owner: string,
  repo: string,
  sha = HEAD,
  id = 77,
  into: CheckRunWrite[] = [],
) {
  const bodies = into;
  scope
    .get(`/repos/${owner}/${repo}/commits/${sha}/check-runs`)
    .query({ check_name: IMPACT_CHECK_NAME, filter: "latest", per_page: "100", app_id: String(TEST_APP_ID) })
    .reply(200, { total_count: 0, check_runs: [] });
  scope
    .post(`/repos/${owner}/${repo}/check-runs`, (body: CheckRunBody) => {
      bodies.push({ method: "POST", body });
      return true;
    })
    .reply(201, { id });
  scope
    .patch(`/repos/${owner}/${repo}/check-runs/${id}`, (body: CheckRunBody) => {
      bodies.push({ method: "PATCH", body });
      return true;
    })
    .reply(200, { id })
    .persist();
  return bodies;
}

/** The "Acknowledge breaking" press by `login` on the impact check run of `pr`'s head (run 77). */
export function ackPayload(login: string, pr: Record<string, unknown>) {
  return loadPayload("check_run", {
    action: "requested_action",
    overrides: {
      check_run: { id: 77, name: IMPACT_CHECK_NAME, head_sha: HEAD },
      requested_action: { identifier: "ack-breaking" },
      sender: { login, type: "User" },
      repository: pr.repository,
      installation: { id: 1 },
    },
  });
}
