import nock from "nock";
import type { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { noteFindingResolved } from "../../../src/github/proposals/note-finding-resolved.js";
import { onProposalMerged } from "../../../src/github/proposals/on-proposal-merged.js";
import { putProposalRecord } from "../../../src/github/proposals/proposal-record.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { createTestProbot, silentLog } from "../../helpers/probot.js";

const NOW = new Date("2026-01-06T00:00:00Z");
const FP = "0123456789abcdef0123456789abcdef";
const API = "/repos/acme/shop";

let store: Store;
let octokit: ProbotOctokit;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  mockInstallationToken();
  octokit = await (await createTestProbot()).auth(1);
  await putProposalRecord({
    store,
    repo: repoKeyOf("acme/shop"),
    fingerprint: FP,
    record: { kind: "cleansing", branch: "backflow/fix/01234567", pr: 7, issueNumber: 42 },
    now: NOW,
  });
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

const deps = () => ({ store, clock: () => NOW });

describe("onProposalMerged", () => {
  it("comments once on the drift issue when a proposal PR is merged", async () => {
    const scope = githubApi()
      .post(
        `${API}/issues/42/comments`,
        (body) => body.body.includes("merged in #7") && body.body.includes("recovers"),
      )
      .reply(201, { id: 1 });
    const pullRequest = { number: 7, merged: true, body: `<!-- backflow:proposal ${FP} cleansing -->\nbody` };
    const input = { octokit, deps: deps(), log: silentLog(), owner: "acme", repo: "shop", pullRequest };

    expect(await onProposalMerged(input)).toBe(42);
    expect(await onProposalMerged(input)).toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });

  it("ignores closed-unmerged PRs and PRs without the marker", async () => {
    const input = { octokit, deps: deps(), log: silentLog(), owner: "acme", repo: "shop" };
    expect(
      await onProposalMerged({
        ...input,
        pullRequest: { number: 7, merged: false, body: `<!-- backflow:proposal ${FP} cleansing -->` },
      }),
    ).toBeUndefined();
    expect(
      await onProposalMerged({ ...input, pullRequest: { number: 8, merged: true, body: "a person's PR" } }),
    ).toBeUndefined();
  });
});

describe("noteFindingResolved", () => {
  it("comments once on an open proposal PR and leaves it open", async () => {
    const scope = githubApi()
      .get(`${API}/pulls/7`)
      .reply(200, { number: 7, state: "open" })
      .post(`${API}/issues/7/comments`, (body) => body.body.includes("recovered without it"))
      .reply(201, { id: 1 });
    const input = { octokit, deps: deps(), log: silentLog(), repo: "acme/shop", fingerprint: FP };

    expect(await noteFindingResolved(input)).toEqual([7]);
    expect(await noteFindingResolved(input)).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});
