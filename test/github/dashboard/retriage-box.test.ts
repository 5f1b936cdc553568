import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DASHBOARD_MARKER } from "../../../src/core/render/render-dashboard.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { createBackflowProbot } from "../../helpers/backflow-app.js";
import { loadPayload, receive } from "../../helpers/payloads.js";
import { TEST_APP_ID } from "../../helpers/probot.js";
import {
  CONFIG,
  completeness,
  deliverAndTriage,
  FULL_NAME,
  resetNock,
  testOctokit,
} from "../drift/drift-harness.js";
import { type FakeGitHub, fakeGitHub, OWNER, REPO } from "../drift/fake-github.js";

const T0 = new Date("2026-11-24T06:00:00Z");
let now = T0;
const clock = () => now;
let store: SqliteStore;
let github: FakeGitHub;
let probot: Probot;

beforeEach(async () => {
  store = openSqliteStore(":memory:");
  now = T0;
  github = fakeGitHub({ config: CONFIG, now: clock });
  probot = await createBackflowProbot({ store, clock, appId: TEST_APP_ID });
});

afterEach(async () => {
  resetNock();
  await store.close();
});

describe("the dashboard's re-run triage box", () => {
  it("judges the finding's latest signal again with today's context (here a new annotation)", async () => {
    now = new Date(T0.getTime() + 60_000);
    const opened = await deliverAndTriage({
      store,
      octokit: await testOctokit(),
      clock,
      deliveryId: "d-1",
      body: completeness({ id: "s1", at: T0, value: 0.9 }),
    });
    const fingerprint = opened.results[0]?.fingerprint ?? "";
    expect(opened.results.map((r) => [r.decision, r.action])).toEqual([["open", "created"]]);
    await store.annotations.add({
      id: "a1",
      repo: FULL_NAME,
      dataset: "fct_orders",
      kind: "event",
      from: "2026-11-23T00:00:00Z",
      note: "guest checkout launch",
      author: "ana",
      createdAt: now.toISOString(),
    });

    const body = `${DASHBOARD_MARKER}\n- [x] <!-- backflow:action rerun-triage ${fingerprint} --> Re-run triage\n`;
    // GitHub holds the edited body: the job reads the dashboard as it is now.
    github.issues.set(99, {
      number: 99,
      title: "Backflow feedback dashboard",
      body,
      state: "open",
      closed_at: null,
      state_reason: null,
      labels: [],
      assignees: [],
    });
    const payload = loadPayload("issues", {
      action: "edited",
      overrides: {
        repository: { name: REPO, full_name: FULL_NAME, owner: { login: OWNER } },
        issue: { number: 99, body, user: { login: "backflow[bot]", type: "Bot" } },
      },
    });
    await receive(probot, "issues", payload);

    const audit = await store.audit.list({ repo: FULL_NAME });
    expect(audit.filter((a) => a.action === "dashboard.rerun-triage").map((a) => a.detail)).toEqual([
      { action: "rerun-triage", fingerprint, result: "expected:recorded" },
    ]);
    expect(github.requests).toContain(`PATCH /repos/${OWNER}/${REPO}/issues/99`);
  });
});
