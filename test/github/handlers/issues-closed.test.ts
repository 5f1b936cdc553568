import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { learnedToleranceKey } from "../../../src/core/triage/learned-tolerance.js";
import { readLearnedTolerance } from "../../../src/github/drift/learn-from-closed-issue.js";
import { openSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/store.js";
import { createBackflowProbot } from "../../helpers/backflow-app.js";
import { githubApi, mockConfigFile, mockInstallationToken } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { TEST_APP_ID } from "../../helpers/probot.js";
import { driftIssueBody, FINGERPRINT, findingRecord, OWNER, REPO, REPO_KEY } from "../commands/fixtures.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const CLOSED_AT = "2026-11-25T11:59:00Z";
const API = `/repos/${OWNER}/${REPO}`;

let store: Store;
let probot: Probot;

/** The breaches the finding's issue showed: 0.95, then 0.93, after two healthy points. */
async function seedFinding(): Promise<void> {
  await store.findings.put(findingRecord());
  const points: Array<[string, number, boolean]> = [
    ["2026-11-23T06:00:00Z", 0.995, false],
    ["2026-11-23T18:00:00Z", 0.996, false],
    ["2026-11-24T06:00:00Z", 0.95, true],
    ["2026-11-24T18:00:00Z", 0.93, true],
  ];
  for (const [observedAt, value, breached] of points)
    await store.findings.addEvaluation({
      repo: REPO_KEY,
      fingerprint: FINGERPRINT,
      evaluation: { observedAt, metric: "completeness", value, breached, expected: false, severity: "error" },
    });
}

/** A real issues webhook (the examples' `reopened` payload, the only issues state event they carry) on the drift issue. */
function issuePayload(input: {
  action: "closed" | "reopened";
  stateReason?: string | null;
  senderType?: string;
  body?: string;
}) {
  return loadPayload("issues", {
    action: "reopened",
    overrides: {
      action: input.action,
      issue: {
        number: 1,
        body: input.body ?? driftIssueBody(),
        state: input.action === "closed" ? "closed" : "open",
        closed_at: input.action === "closed" ? CLOSED_AT : null,
        state_reason: input.stateReason ?? (input.action === "closed" ? "not_planned" : "reopened"),
      },
      sender: { login: "alice", type: input.senderType ?? "User" },
    },
  });
}

function mockComment(scope: nock.Scope, bodies: string[]): void {
  scope
    .post(`${API}/issues/1/comments`, (b) => {
      bodies.push(b.body);
      return true;
    })
    .reply(201, { id: 77 });
}

const writes = () => takeRecordedRequests().filter((r) => r.method !== "GET" && r.path.startsWith("/repos/"));

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  probot = await createBackflowProbot({ store, clock: () => NOW, appId: TEST_APP_ID });
  mockInstallationToken();
  await seedFinding();
  takeRecordedRequests();
});

afterEach(async () => {
  nock.cleanAll();
  await store.close();
});

describe("a drift issue closed or reopened by a person", () => {
  it("learns a tolerance from a close as not planned and says so once", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, text: null });
    const comments: string[] = [];
    mockComment(scope, comments);
    await receive(probot, "issues", issuePayload({ action: "closed" }));
    expect(scope.isDone()).toBe(true);

    const tolerance = await readLearnedTolerance({ store, repo: REPO_KEY, fingerprint: FINGERPRINT });
    expect(tolerance?.entries).toHaveLength(1);
    const entry = tolerance?.entries[0];
    expect(entry).toMatchObject({
      issue: 1,
      metric: "completeness",
      closedBy: "alice",
      closedAt: CLOSED_AT,
      old: { min: 0.99 },
      worst: { min: 0.93 },
      breaches: 2,
    });
    expect(entry?.learned.min).toBeCloseTo(0.927, 9);
    expect(comments).toEqual([
      "Closed as not planned: `completeness` below 0.99 down to 0.93 is now treated as expected for this finding (limit now minimum 0.927; a worse value still opens an issue). To undo: reopen this issue.",
    ]);
    expect((await store.findings.get({ repo: REPO_KEY, fingerprint: FINGERPRINT }))?.state).toBe("resolved");
    const audit = await store.audit.list({ repo: REPO_KEY });
    expect(audit.map((a) => [a.action, a.actor, a.target])).toEqual([
      ["drift.learned", "alice", FINGERPRINT],
    ]);

    // A redelivery of the same close neither comments nor records twice.
    takeRecordedRequests();
    const again = githubApi();
    mockConfigFile(again, { owner: OWNER, repo: REPO, text: null });
    await receive(probot, "issues", issuePayload({ action: "closed" }));
    expect(writes()).toEqual([]);
    expect(await store.audit.list({ repo: REPO_KEY })).toHaveLength(1);
  });

  const ignored = [
    {
      name: "a close as completed",
      payload: () => issuePayload({ action: "closed", stateReason: "completed" }),
    },
    { name: "a close by a bot", payload: () => issuePayload({ action: "closed", senderType: "Bot" }) },
    {
      name: "a close of an issue Backflow did not open",
      payload: () => issuePayload({ action: "closed", body: "Spelling error in the README file" }),
    },
  ];
  for (const c of ignored) {
    it(`learns nothing from ${c.name}`, async () => {
      await receive(probot, "issues", c.payload());
      expect(takeRecordedRequests()).toEqual([]);
      expect(await store.repoState.get({ repo: REPO_KEY, key: learnedToleranceKey(FINGERPRINT) })).toBeNull();
      expect(await store.audit.list({ repo: REPO_KEY })).toEqual([]);
      expect((await store.findings.get({ repo: REPO_KEY, fingerprint: FINGERPRINT }))?.state).toBe("open");
    });
  }

  it("learns nothing when signals.learnFromClosed is false, without a comment", async () => {
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, text: "signals:\n  learnFromClosed: false\n" });
    await receive(probot, "issues", issuePayload({ action: "closed" }));
    expect(scope.isDone()).toBe(true);
    expect(writes()).toEqual([]);
    expect(await store.repoState.get({ repo: REPO_KEY, key: learnedToleranceKey(FINGERPRINT) })).toBeNull();
  });

  it("explains when a close teaches nothing (breaches judged by the source's own status)", async () => {
    await store.findings.put(
      findingRecord({ finding: { ...findingRecord().finding, threshold: { from: "none" } } }),
    );
    const scope = githubApi();
    mockConfigFile(scope, { owner: OWNER, repo: REPO, text: null });
    const comments: string[] = [];
    mockComment(scope, comments);
    await receive(probot, "issues", issuePayload({ action: "closed" }));
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatch(
      /^Closed as not planned\. Backflow learned no tolerance from it: its breaches/,
    );
    expect(await store.repoState.get({ repo: REPO_KEY, key: learnedToleranceKey(FINGERPRINT) })).toBeNull();
    expect((await store.audit.list({ repo: REPO_KEY })).map((a) => a.action)).toEqual([
      "drift.nothing-learned",
    ]);
  });

  it("removes the tolerance when a person reopens the issue, and says so", async () => {
    const close = githubApi();
    mockConfigFile(close, { owner: OWNER, repo: REPO, text: null });
    mockComment(close, []);
    await receive(probot, "issues", issuePayload({ action: "closed" }));

    const scope = githubApi();
    const comments: string[] = [];
    mockComment(scope, comments);
    await receive(probot, "issues", issuePayload({ action: "reopened" }));
    expect(scope.isDone()).toBe(true);
    expect(comments).toEqual([
      "Reopened: Backflow no longer treats `completeness` below 0.99 down to 0.93 as expected for this finding; the limit is back to minimum 0.99.",
    ]);
    expect(await store.repoState.get({ repo: REPO_KEY, key: learnedToleranceKey(FINGERPRINT) })).toBeNull();
    expect((await store.findings.get({ repo: REPO_KEY, fingerprint: FINGERPRINT }))?.state).toBe("open");
    expect((await store.audit.list({ repo: REPO_KEY })).map((a) => a.action).sort()).toEqual([
      "drift.learned",
      "drift.unlearned",
    ]);

    // Reopened again (or by a bot): nothing left to undo, nothing said.
    takeRecordedRequests();
    await receive(probot, "issues", issuePayload({ action: "reopened" }));
    await receive(probot, "issues", issuePayload({ action: "reopened", senderType: "Bot" }));
    expect(writes()).toEqual([]);
  });
});
