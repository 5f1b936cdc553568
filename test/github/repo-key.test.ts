import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../src/core/github/repo-key.js";
import { onProposalMerged } from "../../src/github/proposals/on-proposal-merged.js";
import { enqueueOpenProposal, openProposalJobKey } from "../../src/github/proposals/open-proposal-job.js";
import { putProposalRecord } from "../../src/github/proposals/proposal-record.js";
import type { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { startBackflowApp, stopBackflowApp } from "../helpers/backflow-app.js";
import { githubApi, mockConfigFile } from "../helpers/github-nock.js";
import { receive } from "../helpers/payloads.js";
import { silentLog } from "../helpers/probot.js";
import { commentPayload, driftIssueBody, FINGERPRINT, findingRecord, REPO_KEY } from "./commands/fixtures.js";

const NOW = new Date("2026-11-25T12:00:00Z");
let store: SqliteStore;
let probot: Probot;

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

describe("one repository key, whatever the case of the name", () => {
  it("keys Acme/Shop, acme/shop and ACME/SHOP as one repository, and refuses a name that is not owner/name", () => {
    expect(new Set([repoKeyOf("Acme/Shop"), repoKeyOf("acme", "shop"), repoKeyOf("ACME/SHOP")])).toEqual(
      new Set(["acme/shop"]),
    );
    expect(() => repoKeyOf("acme")).toThrow(/owner\/name/);
    expect(() => repoKeyOf("acme/shop/x")).toThrow(/owner\/name/);
  });

  it("queues one proposal for the same finding asked from Acme/Shop and acme/shop (one job key, one branch lease)", async () => {
    const payload = { fingerprint: FINGERPRINT, kind: "cleansing" as const, issueNumber: 1 };
    expect(openProposalJobKey({ ...payload, repo: "Acme/Shop" })).toBe(
      openProposalJobKey({ ...payload, repo: "acme/shop" }),
    );
    expect(await enqueueOpenProposal({ store, payload: { ...payload, repo: "Acme/Shop" }, now: NOW })).toBe(
      true,
    );
    expect(await enqueueOpenProposal({ store, payload: { ...payload, repo: "acme/shop" }, now: NOW })).toBe(
      false,
    );
    expect(await store.jobs.list({ kind: "open-proposal" })).toHaveLength(1);
  });

  it("finds the proposal record written as Acme/Shop when its merged PR arrives as acme/shop, and notes it once", async () => {
    await store.findings.put(findingRecord({ repo: "acme/shop" }));
    await putProposalRecord({
      store,
      repo: repoKeyOf("Acme/Shop"),
      fingerprint: FINGERPRINT,
      record: { kind: "cleansing", branch: "backflow/fix/abababab", pr: 12, issueNumber: 1 },
      now: NOW,
    });
    const notes: string[] = [];
    githubApi()
      .post("/repos/acme/shop/issues/1/comments", (b) => notes.push(b.body) > 0)
      .reply(201, { id: 1 });
    const octokit = await probot.auth(1);
    const merged = {
      octokit,
      deps: { store, clock: () => NOW },
      log: silentLog(),
      owner: "acme",
      repo: "shop",
      pullRequest: {
        number: 12,
        merged: true,
        body: `<!-- backflow:proposal ${FINGERPRINT} cleansing -->\nFix`,
      },
    };

    expect(await onProposalMerged(merged)).toBe(1);
    expect(await onProposalMerged({ ...merged, owner: "ACME", repo: "Shop" })).toBeUndefined();
    expect(notes).toHaveLength(1);
  });

  it("snoozes the finding stored as codertocat/hello-world from a comment in CODERTOCAT/HELLO-WORLD", async () => {
    await store.findings.put(findingRecord());
    const c = commentPayload("/backflow snooze 3d", { issue: { number: 1, body: driftIssueBody() } });
    c.payload.repository = {
      ...(c.payload.repository as object),
      name: "HELLO-WORLD",
      full_name: "CODERTOCAT/HELLO-WORLD",
      owner: { ...((c.payload.repository as { owner: object }).owner as object), login: "CODERTOCAT" },
    };
    const api = "/repos/CODERTOCAT/HELLO-WORLD";
    const scope = githubApi();
    mockConfigFile(scope, { owner: "CODERTOCAT", repo: "HELLO-WORLD", text: null });
    scope
      .get(`${api}/collaborators/${c.login}/permission`)
      .reply(200, { permission: "write", role_name: "write" });
    scope.post(`${api}/issues/comments/${c.id}/reactions`).times(2).reply(201, { id: 1, content: "eyes" });
    scope.post(`${api}/issues/1/comments`).reply(201, { id: 2 });

    await receive(probot, "issue_comment", c.payload);

    expect(scope.isDone()).toBe(true);
    const record = await store.findings.get({ repo: REPO_KEY, fingerprint: FINGERPRINT });
    expect(record?.snoozedUntil?.toISOString()).toBe("2026-11-28T12:00:00.000Z");
    expect(await store.findings.list({ repo: "CODERTOCAT/HELLO-WORLD" })).toEqual([]);
  });
});
