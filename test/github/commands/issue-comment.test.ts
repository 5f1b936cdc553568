import type nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Suspect } from "../../../src/core/triage/find-suspects.js";
import type { Store } from "../../../src/store/store.js";
import { startBackflowApp, stopBackflowApp } from "../../helpers/backflow-app.js";
import { githubApi, mockConfigFile } from "../../helpers/github-nock.js";
import { takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { receive } from "../../helpers/payloads.js";
import { HEAD_SHA, mockDefaultBranch, SHOP_FILES, TREE_SHA } from "../expectations/default-branch.js";
import {
  commentPayload,
  driftIssueBody,
  FINGERPRINT,
  findingRecord,
  OWNER,
  REPO,
  REPO_KEY,
} from "./fixtures.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const API = `/repos/${OWNER}/${REPO}`;

let store: Store;
let probot: Probot;

beforeEach(async () => ({ store, probot } = await startBackflowApp(() => NOW)));
afterEach(() => stopBackflowApp(store));

type Mock = { scope: nock.Scope; reactions: string[]; replies: string[] };

/** Mocks the config read, the permission lookup (when `role` is given), reactions and the reply. */
function mockRun(input: {
  commentId: number;
  issueNumber: number;
  login: string;
  role?: string;
  config?: string | null;
}): Mock {
  const scope = githubApi();
  const reactions: string[] = [];
  const replies: string[] = [];
  mockConfigFile(scope, { owner: OWNER, repo: REPO, text: input.config ?? null });
  if (input.role !== undefined) {
    scope.get(`${API}/collaborators/${input.login}/permission`).reply(200, {
      permission: input.role === "maintain" ? "write" : input.role,
      role_name: input.role,
      user: { login: input.login },
    });
  }
  scope
    .post(`${API}/issues/comments/${input.commentId}/reactions`, (b) => {
      reactions.push(b.content);
      return true;
    })
    .times(2)
    .optionally()
    .reply(201, { id: 1, content: "eyes" });
  scope
    .post(`${API}/issues/${input.issueNumber}/comments`, (b) => {
      replies.push(b.body);
      return true;
    })
    .reply(201, { id: 9001 });
  return { scope, reactions, replies };
}

const writes = () => takeRecordedRequests().filter((r) => r.method !== "GET" && r.path.startsWith("/repos/"));

describe("issue_comment.created commands", () => {
  it("answers help for anyone without looking up their permission", async () => {
    const c = commentPayload("Hi!\n/backflow help");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login });
    await receive(probot, "issue_comment", c.payload);
    expect(m.scope.isDone()).toBe(true);
    expect(m.reactions).toEqual(["eyes", "rocket"]);
    expect(m.replies[0]).toContain(`<!-- backflow:reply ${c.id} -->`);
    expect(m.replies[0]).toContain("/backflow annotate <dataset>");
  });

  it("stores an annotation for a writer, reacts 👀 then 🚀, replies and audits", async () => {
    const c = commentPayload('/backflow annotate orders seasonality 2026-11-20..2026-12-01 "Black Friday"');
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "write" });
    await receive(probot, "issue_comment", c.payload);
    expect(m.scope.isDone()).toBe(true);
    expect(m.reactions).toEqual(["eyes", "rocket"]);
    const active = await store.annotations.listActive({
      repo: REPO_KEY,
      at: new Date("2026-11-25T00:00:00Z"),
    });
    expect(active).toMatchObject([
      { dataset: "orders", kind: "seasonality", note: "Black Friday", author: c.login },
    ]);
    expect(m.replies[0]).toContain("Annotated `orders` as **seasonality** for 2026-11-20 → 2026-12-01");
    const audit = await store.audit.list({ repo: REPO_KEY });
    expect(audit.map((a) => [a.action, a.actor, (a.detail as { status: string }).status])).toEqual([
      ["command.annotate", c.login, "done"],
    ]);
  });

  it("tells the open drift issues of the datasets an annotation covers, once, but not other datasets'", async () => {
    const other = { ...findingRecord().finding, tableId: "customers" };
    await store.findings.put(findingRecord({ fingerprint: "1".repeat(64), issueNumber: 11 }));
    await store.findings.put(findingRecord({ fingerprint: "2".repeat(64), issueNumber: 12, finding: other }));
    await store.findings.put(
      findingRecord({
        fingerprint: "3".repeat(64),
        issueNumber: 13,
        openedAt: new Date("2026-12-05T00:00:00Z"),
      }),
    );
    const c = commentPayload('/backflow annotate "ord*" event 2026-11-20..2026-12-01 "CRM migration"');
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "write" });
    const told: Array<[string, string]> = [];
    m.scope
      .post(/\/issues\/1[0-9]\/comments$/, (b) => told.push(["", b.body]) > 0)
      .reply((uri) => {
        const last = told.at(-1);
        if (last) last[0] = uri.split("/").at(-2) ?? "";
        return [201, { id: 1 }];
      });

    await receive(probot, "issue_comment", c.payload);
    await receive(probot, "issue_comment", c.payload);

    expect(told.map(([issue]) => issue)).toEqual(["11"]);
    expect(told[0]?.[1]).toContain(
      "annotated `ord*` as **event** for 2026-11-20 → 2026-12-01: CRM migration",
    );
    expect(m.replies[0]).toContain("Noted on the open drift issues it concerns: #11.");
  });

  it("politely refuses a reader and changes nothing else", async () => {
    const c = commentPayload("/backflow annotate orders event 2026-11-01.. outage");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "read" });
    await receive(probot, "issue_comment", c.payload);
    expect(m.replies[0]).toContain("can only be run by people with **write** access");
    expect(m.reactions).toEqual([]);
    expect(writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST ${API}/issues/${c.issueNumber}/comments`,
    ]);
    expect(await store.annotations.listActive({ repo: REPO_KEY, at: NOW })).toEqual([]);
    expect((await store.audit.list({ repo: REPO_KEY }))[0]).toMatchObject({
      action: "command.annotate",
      detail: { status: "refused" },
    });
  });

  it("lets anyone run commands the config opens to commenters, and holds others to the configured level", async () => {
    const config = "commands:\n  permission: maintain\n  openToCommenters: [annotate]\n";
    const c = commentPayload("/backflow annotate orders event 2026-11-01.. outage\n/backflow snooze 1d");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "write", config });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "confused"]);
    expect(await store.annotations.listActive({ repo: REPO_KEY, at: NOW })).toHaveLength(1);
    expect(m.replies[0]).toContain("**maintain** access");
  });

  it("reacts 😕 and explains a typo with a suggestion, running nothing", async () => {
    const c = commentPayload("/backflow anotate orders event 2026-11-01.. outage");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["confused"]);
    expect(m.replies[0]).toContain("did you mean `annotate`?");
  });

  it.each([
    ["sender is a bot", { sender: { type: "Bot", login: "backflow[bot]" } }],
    ["author is a bot", { user: { type: "Bot", login: "backflow[bot]" } }],
  ])("ignores a comment whose %s", async (_name, who) => {
    const c = commentPayload("/backflow rollback", who);
    await receive(probot, "issue_comment", c.payload);
    expect(takeRecordedRequests()).toEqual([]);
    expect(await store.audit.list({})).toEqual([]);
  });

  it("ignores edited comments: a command runs once, when it is posted", async () => {
    const c = commentPayload("/backflow rollback");
    await receive(probot, "issue_comment", {
      ...c.payload,
      action: "edited",
      changes: { body: { from: "lgtm" } },
    });
    expect(takeRecordedRequests()).toEqual([]);
    expect(await store.audit.list({})).toEqual([]);
  });

  it("ignores comments without commands and commands inside code blocks", async () => {
    await receive(
      probot,
      "issue_comment",
      commentPayload("Looks good\n```\n/backflow rollback\n```").payload,
    );
    expect(takeRecordedRequests()).toEqual([]);
  });

  it("runs a redelivered comment once", async () => {
    const c = commentPayload("/backflow help");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login });
    await receive(probot, "issue_comment", c.payload, "same-delivery");
    await receive(probot, "issue_comment", c.payload, "same-delivery");
    expect(m.scope.isDone()).toBe(true);
    expect(m.replies).toHaveLength(1);
  });

  it("stores a reported measurement as a signal delivery with its triage job", async () => {
    const c = commentPayload(
      '/backflow report orders.customer_id null_rate 0.12 "since the CRM migration @team"',
    );
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "admin" });
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: SHOP_FILES });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "rocket"]);
    const source = `comment:${c.login}`;
    const stored = await store.signals.getDelivery({ source, deliveryId: `comment-${c.id}-1` });
    expect(stored?.signals[0]?.signal).toMatchObject({
      source: { kind: "backflow", name: source },
      dataset: { name: "orders" },
      column: "customer_id",
      measurement: { metric: "null_rate", kind: "completeness", value: 0.12 },
      message: "since the CRM migration @team",
    });
    const jobs = await store.jobs.list({ kind: "triage-delivery" });
    expect(jobs.map((j) => j.payload)).toEqual([{ source, deliveryId: `comment-${c.id}-1`, repo: REPO_KEY }]);
  });

  it("reads a dotted report target as a qualified table when the lineage has that table", async () => {
    const c = commentPayload("/backflow report raw.orders row_count 10");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "admin" });
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: SHOP_FILES });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "rocket"]);
    const stored = await store.signals.getDelivery({
      source: `comment:${c.login}`,
      deliveryId: `comment-${c.id}-1`,
    });
    const signal = stored?.signals[0]?.signal;
    expect(signal?.dataset.name).toBe("raw.orders");
    expect(signal?.column).toBeUndefined();
  });

  it("snoozes the finding of a drift issue", async () => {
    await store.findings.put(findingRecord());
    const c = commentPayload("/backflow snooze 3d", { issue: { number: 1, body: driftIssueBody() } });
    const m = mockRun({ commentId: c.id, issueNumber: 1, login: c.login, role: "write" });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "rocket"]);
    const record = await store.findings.get({ repo: REPO_KEY, fingerprint: FINGERPRINT });
    expect(record?.snoozedUntil?.toISOString()).toBe("2026-11-28T12:00:00.000Z");
  });

  it("resolves a drift issue: closes it and marks the finding resolved", async () => {
    await store.findings.put(findingRecord());
    const c = commentPayload("/backflow resolve fixed upstream", {
      issue: { number: 1, body: driftIssueBody() },
    });
    const m = mockRun({ commentId: c.id, issueNumber: 1, login: c.login, role: "write" });
    let closed: unknown;
    m.scope
      .patch(`${API}/issues/1`, (b) => {
        closed = b;
        return true;
      })
      .reply(200, { number: 1, state: "closed" });
    await receive(probot, "issue_comment", c.payload);
    expect(m.scope.isDone()).toBe(true);
    expect(closed).toEqual({ state: "closed", state_reason: "completed" });
    expect((await store.findings.get({ repo: REPO_KEY, fingerprint: FINGERPRINT }))?.state).toBe("resolved");
    expect(m.replies[0]).toContain("fixed upstream");
  });

  it("fails snooze on an issue that is not a drift issue", async () => {
    const c = commentPayload("/backflow snooze 3d", { issue: { number: 1, body: "Just a question" } });
    const m = mockRun({ commentId: c.id, issueNumber: 1, login: c.login, role: "write" });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "confused"]);
    expect(m.replies[0]).toContain("works on a drift issue that Backflow opened");
  });

  it("replies to lineage with the column's upstream and downstream paths and a Mermaid picture", async () => {
    const c = commentPayload("/backflow lineage orders.customer_id");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "write" });
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: SHOP_FILES });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "rocket"]);
    const reply = m.replies[0] ?? "";
    expect(reply).toContain("Lineage of `orders.customer_id` (`models/orders.sql:1`)");
    expect(reply).toContain(
      "`orders.customer_id` passthrough at `models/orders.sql:1` → `raw.orders.customer_id`",
    );
    expect(reply).toContain("→ `fct_revenue.customer_id`");
    expect(reply).toContain("```mermaid\nflowchart LR");
  });

  it("fails lineage for an unknown table with a suggestion", async () => {
    const c = commentPayload("/backflow lineage order");
    const m = mockRun({ commentId: c.id, issueNumber: c.issueNumber, login: c.login, role: "write" });
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files: SHOP_FILES });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "confused"]);
    expect(m.replies[0]).toContain(
      "`order` is not a table or column in the default branch's lineage — did you mean `orders`?",
    );
  });

  it("queues one proposal job for propose on a drift issue", async () => {
    await store.findings.put(findingRecord());
    const c = commentPayload("/backflow propose contract", { issue: { number: 1, body: driftIssueBody() } });
    const m = mockRun({ commentId: c.id, issueNumber: 1, login: c.login, role: "write" });
    await receive(probot, "issue_comment", c.payload);
    expect(m.reactions).toEqual(["eyes", "rocket"]);
    const jobs = await store.jobs.list({ kind: "open-proposal" });
    expect(jobs.map((j) => j.payload)).toEqual([
      {
        repo: `${OWNER}/${REPO}`,
        installationId: 1,
        fingerprint: FINGERPRINT,
        kind: "contract",
        issueNumber: 1,
      },
    ]);
    expect(m.replies[0]).toContain("Preparing a **contract** proposal");
    expect(await store.jobs.list({ kind: "refresh-dashboard" })).toHaveLength(1);
  });

  /** The fixture finding, stored with these upstream suspects (defaults: depth 0 passthrough of `orders`). */
  async function storeFindingWithSuspects(suspects: Array<Partial<Suspect>>) {
    const base = findingRecord();
    const defaults: Suspect = {
      table: "orders",
      depth: 0,
      transform: "passthrough",
      rowRules: [],
      recentlyChanged: false,
    };
    await store.findings.put(
      findingRecord({ finding: { ...base.finding, suspects: suspects.map((s) => ({ ...defaults, ...s })) } }),
    );
  }

  it("proposes reverting the newest change to a suspect file for propose revert", async () => {
    await storeFindingWithSuspects([
      { column: "customer_id", file: "models/orders.sql", line: 1, recentlyChanged: true },
      { table: "stg_orders", file: "models/stg_orders.sql" },
      { table: "raw.orders", depth: 1 },
    ]);
    const c = commentPayload("/backflow propose revert", { issue: { number: 1, body: driftIssueBody() } });
    const m = mockRun({ commentId: c.id, issueNumber: 1, login: c.login, role: "write" });
    const commit = (sha: string, date: string, message: string) => ({
      sha,
      commit: { message, author: { name: "Dev", date }, committer: { name: "Dev", date } },
      author: { login: "dev" },
    });
    const paths: string[] = [];
    m.scope
      .get(`${API}/commits`)
      .query((q) => {
        paths.push(String(q.path));
        return q.per_page === "1" && typeof q.since === "string";
      })
      .times(2)
      .reply((uri) =>
        uri.includes("stg_orders")
          ? [200, [commit("b".repeat(40), "2026-11-20T09:00:00Z", "Drop test customers\n\nbody")]]
          : [200, [commit("a".repeat(40), "2026-11-18T09:00:00Z", "Rename column")]],
      );

    await receive(probot, "issue_comment", c.payload);

    expect(m.reactions).toEqual(["eyes", "rocket"]);
    expect(paths.sort()).toEqual(["models/orders.sql", "models/stg_orders.sql"]);
    const jobs = await store.jobs.list({ kind: "open-proposal" });
    expect(jobs.map((j) => j.payload)).toMatchObject([
      { kind: "revert", commitSha: "b".repeat(40), issueNumber: 1 },
    ]);
    expect(m.replies[0]).toContain(
      "Preparing a **revert** of `bbbbbbbb` (Drop test customers, the newest change to `models/stg_orders.sql`)",
    );
  });

  it("explains what to do when no recent commit touched the suspects of propose revert", async () => {
    await storeFindingWithSuspects([{ file: "models/orders.sql" }]);
    const c = commentPayload("/backflow propose revert", { issue: { number: 1, body: driftIssueBody() } });
    const m = mockRun({ commentId: c.id, issueNumber: 1, login: c.login, role: "write" });
    m.scope.get(`${API}/commits`).query(true).reply(200, []);

    await receive(probot, "issue_comment", c.payload);

    expect(m.reactions).toEqual(["eyes", "confused"]);
    expect(m.replies[0]).toContain("No commit touched this finding's suspect files (`models/orders.sql`)");
    expect(m.replies[0]).toContain("`/backflow propose revert <sha>`");
    expect(await store.jobs.list({ kind: "open-proposal" })).toEqual([]);
  });

  it("rolls back a merged pull request: a ready revert PR with the author and the code owners requested", async () => {
    const MERGE = "c".repeat(40);
    const files: Record<string, string> = {
      ...SHOP_FILES,
      CODEOWNERS: "models/ @acme/data-eng @ana\n",
      "models/orders.sql":
        "select o.id as order_id, o.customer_id, o.amount\nfrom raw.orders o\nwhere o.amount > 0\n",
    };
    const pullUrl = `https://api.github.com${API}/pulls/5`;
    const c = commentPayload("/backflow rollback", { issue: { number: 5, pull_request: { url: pullUrl } } });
    const m = mockRun({ commentId: c.id, issueNumber: 5, login: c.login, role: "maintain" });
    mockDefaultBranch(githubApi(), { owner: OWNER, repo: REPO, files });
    const created: Array<Record<string, unknown>> = [];
    const reviewers: Array<Record<string, unknown>> = [];
    m.scope
      .get(`${API}/pulls/5`)
      .reply(200, { number: 5, merged: true, merge_commit_sha: MERGE, user: { login: "dev" } });
    m.scope.get(`${API}/git/commits/${HEAD_SHA}`).reply(200, { sha: HEAD_SHA, tree: { sha: TREE_SHA } });
    m.scope.get(`${API}/commits/${MERGE}`).reply(200, {
      sha: MERGE,
      commit: { message: "Drop refunds" },
      files: [
        {
          filename: "models/orders.sql",
          status: "modified",
          patch:
            "@@ -1,2 +1,3 @@\n select o.id as order_id, o.customer_id, o.amount\n from raw.orders o\n+where o.amount > 0",
        },
      ],
    });
    m.scope
      .get(`${API}/git/ref/${encodeURIComponent("heads/backflow/revert/cccccccc")}`)
      .reply(404, { message: "Not Found" });
    m.scope.post(`${API}/git/trees`).reply(201, { sha: "8".repeat(40) });
    m.scope.post(`${API}/git/commits`).reply(201, { sha: "9".repeat(40) });
    m.scope.post(`${API}/git/refs`).reply(201, { ref: "refs/heads/backflow/revert/cccccccc" });
    m.scope.get(`${API}/pulls`).query(true).reply(200, []);
    m.scope.post(`${API}/pulls`, (b) => created.push(b) > 0).reply(201, { number: 77 });
    m.scope
      .post(`${API}/pulls/77/requested_reviewers`, (b) => reviewers.push(b) > 0)
      .reply(201, { number: 77 });

    await receive(probot, "issue_comment", c.payload);

    expect(m.reactions).toEqual(["eyes", "rocket"]);
    expect(created).toMatchObject([
      { head: "backflow/revert/cccccccc", base: "master", draft: false, title: "Revert #5: Drop refunds" },
    ]);
    expect(reviewers).toEqual([{ reviewers: ["dev", "ana"], team_reviewers: ["data-eng"] }]);
    expect(m.replies[0]).toContain("Opened #77 to revert this pull request; it is ready for review.");
  });

  it("refuses to roll back a pull request that is not merged", async () => {
    const pullUrl = `https://api.github.com${API}/pulls/5`;
    const c = commentPayload("/backflow rollback", { issue: { number: 5, pull_request: { url: pullUrl } } });
    const m = mockRun({ commentId: c.id, issueNumber: 5, login: c.login, role: "maintain" });
    m.scope
      .get(`${API}/pulls/5`)
      .reply(200, { number: 5, merged: false, merge_commit_sha: null, user: { login: "dev" } });
    await receive(probot, "issue_comment", c.payload);
    expect(m.scope.isDone()).toBe(true);
    expect(m.reactions).toEqual(["eyes", "confused"]);
    expect(m.replies[0]).toContain("This pull request is not merged");
  });
});
