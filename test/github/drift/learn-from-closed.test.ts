import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLearnedTolerance } from "../../../src/github/drift/learn-from-closed-issue.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { createBackflowProbot } from "../../helpers/backflow-app.js";
import { githubApi, mockConfigFile } from "../../helpers/github-nock.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { CONFIG, completeness, deliverAndTriage, resetNock, testOctokit } from "./drift-harness.js";
import { type FakeGitHub, fakeGitHub, OWNER, REPO } from "./fake-github.js";

const T0 = new Date("2026-11-24T06:00:00Z");
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

let store: SqliteStore;
let github: FakeGitHub;
let probot: Probot;
let now: Date;
const clock = () => now;

async function signal(id: string, at: Date, value: number) {
  now = new Date(at.getTime() + 60_000);
  return deliverAndTriage({
    store,
    octokit: await testOctokit(),
    clock,
    deliveryId: `d-${id}`,
    body: completeness({ id, at, value }),
  });
}

/** A person changes the issue's state on GitHub, and GitHub sends the issues webhook. */
async function personSets(number: number, action: "closed" | "reopened", at: Date): Promise<void> {
  now = at;
  const issue = github.issues.get(number);
  if (!issue) throw new Error(`no issue #${number}`);
  Object.assign(
    issue,
    action === "closed"
      ? { state: "closed", state_reason: "not_planned", closed_at: at.toISOString() }
      : { state: "open", state_reason: "reopened", closed_at: null },
  );
  mockConfigFile(githubApi(), { owner: OWNER, repo: REPO, text: CONFIG });
  const payload = loadPayload("issues", {
    action: "reopened",
    overrides: {
      action,
      installation: { id: 1 },
      repository: { name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
      issue: {
        number,
        body: issue.body,
        state: issue.state,
        state_reason: issue.state_reason,
        closed_at: issue.closed_at,
      },
      sender: { login: "alice", type: "User" },
    },
  });
  await receive(probot, "issues", payload);
}

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  now = T0;
  github = fakeGitHub({ config: CONFIG, assignable: ["carol"], now: clock });
  probot = await createBackflowProbot({ store, clock });
});

afterEach(async () => {
  resetNock();
  await store.close();
});

describe("learning from a drift issue closed as not planned", () => {
  it("stops opening issues for the declined values, still opens for a much worse one, and relaxes further on a second close", async () => {
    await signal("s1", T0, 0.95);
    await signal("s2", hours(1), 0.93);
    expect(github.issues.get(1)?.state).toBe("open");

    await personSets(1, "closed", hours(2));
    expect(github.comments.map((c) => [c.issue, c.body.split(":")[0]])).toEqual([
      [1, "Closed as not planned"],
    ]);

    const same = await signal("s3", hours(3), 0.93);
    expect(same.results.map((r) => [r.decision, r.action])).toEqual([["none", "recorded"]]);
    const fingerprint = same.results[0]?.fingerprint ?? "";
    const points = await store.findings.evaluations({ repo: "acme/shop", fingerprint });
    expect(points.map((e) => [e.value, e.breached])).toEqual([
      [0.95, true],
      [0.93, true],
      [0.93, false],
    ]);
    expect(github.issues.size).toBe(1);

    const worse = await signal("s4", hours(4), 0.8);
    expect(worse.results.map((r) => [r.decision, r.action, r.issue])).toEqual([["open", "created", 2]]);
    expect(github.issues.get(2)?.body).toContain("Follows #1, closed earlier.");
    expect(github.issues.get(2)?.body).toContain("minimum 0.927 \\(from learned\\)");
    expect(github.issues.get(1)?.state).toBe("closed");

    await personSets(2, "closed", hours(5));
    const after = await signal("s5", hours(6), 0.8);
    expect(after.results.map((r) => r.decision)).toEqual(["none"]);
    const tolerance = await readLearnedTolerance({ store, repo: "acme/shop", fingerprint });
    expect(tolerance?.entries.map((e) => [e.issue, e.closedBy])).toEqual([
      [1, "alice"],
      [2, "alice"],
    ]);
    expect(tolerance?.entries[1]?.old.min).toBeCloseTo(0.927, 9);
    expect(tolerance?.entries[1]?.learned.min).toBeCloseTo(0.8 - 0.05 * (0.927 - 0.8), 9);
  });

  it("judges by the configured limit again once the issue is reopened", async () => {
    await signal("s1", T0, 0.95);
    await signal("s2", hours(1), 0.93);
    await personSets(1, "closed", hours(2));
    await personSets(1, "reopened", hours(3));
    expect(github.comments.map((c) => c.body.split(":")[0])).toEqual(["Closed as not planned", "Reopened"]);

    const same = await signal("s3", hours(4), 0.93);
    expect(same.results.map((r) => [r.decision, r.issue])).toEqual([["update", 1]]);
    const record = await store.findings.get({
      repo: "acme/shop",
      fingerprint: same.results[0]?.fingerprint ?? "",
    });
    expect(record?.finding).toMatchObject({ breached: true, threshold: { from: "config", min: 0.99 } });
    expect(github.issues.size).toBe(1);
  });
});
