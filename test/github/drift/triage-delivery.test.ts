import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { triageDelivery } from "../../../src/github/drift/triage-delivery.js";
import { openSqliteStore, type SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { silentLog } from "../../helpers/probot.js";
import {
  CONFIG,
  completeness,
  deliverAndTriage,
  FULL_NAME,
  resetNock,
  testOctokit,
} from "./drift-harness.js";
import { type FakeGitHub, fakeGitHub } from "./fake-github.js";

const T0 = new Date("2026-11-24T06:00:00Z");
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const MARKER = /<!-- backflow:finding ([0-9a-f]{64}) -->/;

let store: SqliteStore;
let github: FakeGitHub;
let now: Date;
const clock = () => now;

async function signal(id: string, at: Date, value: number, severity = "error", st = store) {
  now = new Date(at.getTime() + 60_000);
  return deliverAndTriage({
    store: st,
    octokit: await testOctokit(),
    clock,
    deliveryId: `d-${id}`,
    body: completeness({ id, at, value, severity }),
  });
}

beforeEach(() => {
  store = openSqliteStore(":memory:");
  now = T0;
  github = fakeGitHub({
    config: CONFIG,
    assignable: ["carol"],
    now: clock,
    commits: {
      "models/marts/fct_orders.sql": [
        {
          sha: "abcdef0123456789abcdef0123456789abcdef01",
          author: { login: "dave" },
          commit: { message: "Join customers late", author: { name: "Dave", date: "2026-11-20T10:00:00Z" } },
        },
      ],
    },
  });
});

afterEach(async () => {
  resetNock();
  await store.close();
});

describe("triage of a signal delivery into drift issues", () => {
  it("opens one issue with the drift label, assignable owners, suspects and recent commits", async () => {
    const result = await signal("s1", T0, 0.93);
    expect(result.state).toBe("processed");
    expect(result.results.map((r) => [r.decision, r.action, r.issue])).toEqual([["open", "created", 1]]);
    expect(github.issues.size).toBe(1);
    const issue = github.issues.get(1);
    expect(issue?.title).toBe("Completeness: fct_orders.customer_id 0.93 < 0.99");
    expect(issue?.labels).toEqual(["backflow:drift"]);
    expect(issue?.assignees).toEqual(["carol"]);
    expect([...github.labels]).toEqual(["backflow:drift"]);
    expect(issue?.body).toMatch(MARKER);
    expect(issue?.body).toContain(
      "https://github.com/acme/shop/blob/c0ffee0000000000000000000000000000000001/models/marts/fct_orders.sql#L",
    );
    expect(issue?.body).toContain(
      "[abcdef0](https://github.com/acme/shop/commit/abcdef0123456789abcdef0123456789abcdef01) 2026-11-20 by dave in #42: Join customers late",
    );
    expect(issue?.body).not.toMatch(/cc @shop-data/);
    expect(github.comments).toEqual([]);
    const record = await store.findings.get({
      repo: FULL_NAME,
      fingerprint: result.results[0]?.fingerprint ?? "",
    });
    expect(record).toMatchObject({ state: "open", issueNumber: 1, severity: "error" });
    expect((await store.signals.getDelivery({ source: "monitor", deliveryId: "d-s1" }))?.delivery.state).toBe(
      "processed",
    );
    expect(github.requests.filter((r) => r.startsWith("POST /repos/acme/shop/issues"))).toHaveLength(1);
  });

  it("updates the body on a repeated breach without commenting, and comments once on a severity change", async () => {
    await signal("s1", T0, 0.93);
    const repeat = await signal("s2", hours(1), 0.92);
    expect(repeat.results.map((r) => [r.decision, r.action])).toEqual([["update", "updated"]]);
    expect(github.issues.get(1)?.body).toContain("  line [0.93, 0.92]");
    expect(github.issues.get(1)?.title).toBe("Completeness: fct_orders.customer_id 0.92 < 0.99");
    expect(github.comments).toEqual([]);

    const milder = await signal("s3", hours(2), 0.95, "warning");
    expect(milder.results.map((r) => [r.decision, r.action])).toEqual([["update", "updated"]]);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toMatch(/^Severity is now \*\*warning\*\*/);
    expect(github.issues.size).toBe(1);
  });

  it("closes the issue with a comment after the metric recovers", async () => {
    await signal("s1", T0, 0.93);
    const first = await signal("s2", hours(1), 0.995);
    expect(first.results.map((r) => [r.decision, r.action])).toEqual([["update", "updated"]]);
    expect(github.issues.get(1)?.state).toBe("open");
    const second = await signal("s3", hours(2), 0.996);
    expect(second.results.map((r) => [r.decision, r.action])).toEqual([["resolve", "closed"]]);
    expect(github.issues.get(1)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(github.comments.map((c) => c.issue)).toEqual([1]);
    expect(github.comments[0]?.body).toMatch(/^Recovered: `fct_orders.customer_id` completeness/);
    const record = await store.findings.get({
      repo: FULL_NAME,
      fingerprint: second.results[0]?.fingerprint ?? "",
    });
    expect(record?.state).toBe("resolved");
  });

  it("reopens an issue closed within 7 days, and opens a new linked issue after that", async () => {
    await signal("s1", T0, 0.93);
    await signal("s2", hours(1), 0.995);
    await signal("s3", hours(2), 0.996);
    const again = await signal("s4", hours(48), 0.9);
    expect(again.results.map((r) => [r.decision, r.action, r.issue])).toEqual([["open", "reopened", 1]]);
    expect(github.issues.get(1)?.state).toBe("open");
    expect(github.comments.at(-1)?.body).toMatch(/^Breached again, so Backflow reopened this issue/);

    await signal("s5", hours(49), 0.995);
    await signal("s6", hours(50), 0.999);
    expect(github.issues.get(1)?.state).toBe("closed");
    const later = await signal("s7", hours(50 + 24 * 8), 0.9);
    expect(later.results.map((r) => [r.decision, r.action, r.issue])).toEqual([["open", "created", 2]]);
    expect(github.issues.get(2)?.body).toContain("Follows #1, closed earlier.");
    expect(github.issues.get(1)?.state).toBe("closed");
  });

  it("finds the open issue by its marker when the database is lost, instead of opening another", async () => {
    await signal("s1", T0, 0.93);
    const fresh = openSqliteStore(":memory:");
    try {
      const result = await signal("s2", hours(1), 0.92, "error", fresh);
      expect(result.results.map((r) => [r.decision, r.action, r.issue])).toEqual([["open", "updated", 1]]);
      expect(github.issues.size).toBe(1);
      const record = await fresh.findings.get({
        repo: FULL_NAME,
        fingerprint: result.results[0]?.fingerprint ?? "",
      });
      expect(record?.issueNumber).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it("records an annotated breach as expected and opens no issue", async () => {
    await store.annotations.add({
      id: "bf",
      repo: FULL_NAME,
      dataset: "fct_*",
      kind: "event",
      from: hours(-1).toISOString(),
      to: hours(24).toISOString(),
      note: "Guest checkout launch: orders without customers are expected",
      author: "alice",
      createdAt: T0.toISOString(),
    });
    const result = await signal("s1", T0, 0.9);
    expect(result.results.map((r) => [r.decision, r.action])).toEqual([["expected", "recorded"]]);
    expect(github.issues.size).toBe(0);
    const audit = await store.audit.list({ repo: FULL_NAME, action: "drift.expected" });
    expect(audit.map((a) => a.detail)).toEqual([{ signalId: "s1", annotations: ["bf"] }]);
  });

  it("audits a signal whose dataset matches no table and writes nothing", async () => {
    now = hours(0);
    const body = {
      ...completeness({ id: "u1", at: T0, value: 0.5 }),
      dataset: { name: "warehouse.unknown_table" },
    };
    const result = await deliverAndTriage({
      store,
      octokit: await testOctokit(),
      clock,
      deliveryId: "d-u1",
      body,
    });
    expect(result.results.map((r) => [r.decision, r.action])).toEqual([["unmatched", "recorded"]]);
    expect(github.issues.size).toBe(0);
    expect((await store.audit.list({ action: "drift.unmatched" })).length).toBe(1);
  });

  it("does nothing for a delivery that was already processed", async () => {
    await signal("s1", T0, 0.93);
    const again = await triageDelivery({
      octokit: await testOctokit(),
      deps: { store, clock },
      log: silentLog(),
      source: "monitor",
      deliveryId: "d-s1",
      repo: FULL_NAME,
    });
    expect(again.state).toBe("already-processed");
    expect(github.issues.size).toBe(1);
  });
});
