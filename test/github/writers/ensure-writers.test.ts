import nock from "nock";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ensureCheckRun } from "../../../src/github/writers/ensure-check-run.js";
import { commentHash, ensureComment } from "../../../src/github/writers/ensure-comment.js";
import { ensureIssue } from "../../../src/github/writers/ensure-issue.js";
import { ensureProposalPr } from "../../../src/github/writers/ensure-proposal-pr.js";
import { createGitHubWriter, type WriteAction } from "../../../src/github/writers/github-writer.js";
import { createMetrics } from "../../../src/server/metrics.js";
import { GITHUB_API, githubApi, mockInstallationToken } from "../../helpers/github-nock.js";
import { checkRequest, takeRecordedRequests } from "../../helpers/openapi-conformance.js";
import { createTestProbot } from "../../helpers/probot.js";

const OWNER = "acme";
const REPO = "shop";
const API = `/repos/${OWNER}/${REPO}`;
const SHA = "c".repeat(40);
const MARKER = "<!-- backflow:test -->";
const NOW = new Date("2026-11-25T12:00:00Z");

/** What exists on GitHub before the write: nothing, the desired state, something else, or a match on page 2. */
type Existing = "none" | "same" | "different" | "page-2";

/** The Link header of a first page whose second page is `path?...&page=2`. */
function nextPage(path: string, query: string): Record<string, string> {
  return { link: `<${GITHUB_API}${path}?${query}&page=2>; rel="next"` };
}

/** One writer under test: how GitHub looks (GETs), the writes it accepts, and the call. */
type Subject = {
  readonly kind: "issue" | "comment" | "check-run" | "pull-request";
  mockReads(scope: nock.Scope, existing: Existing): void;
  mockWrites(scope: nock.Scope): void;
  run(writer: ReturnType<typeof createGitHubWriter>): Promise<{ action: WriteAction | "left-closed" }>;
};

const ISSUE_BODY = `${MARKER}\nthe body`;
const issue = (number: number, body: string, title = "Title") => ({
  number,
  node_id: `I_${number}`,
  state: "open",
  title,
  body,
  labels: [{ name: "backflow" }],
  closed_at: null,
});

const issueSubject: Subject = {
  kind: "issue",
  mockReads(scope, existing) {
    const query = "state=open&per_page=100";
    const first =
      existing === "none" || existing === "page-2"
        ? [issue(1, "someone else's issue")]
        : [issue(5, existing === "same" ? ISSUE_BODY : `${MARKER}\nold body`)];
    scope
      .get(`${API}/issues`)
      .query({ state: "open", per_page: "100" })
      .reply(200, first, existing === "page-2" ? nextPage(`${API}/issues`, query) : {});
    if (existing === "page-2")
      scope
        .get(`${API}/issues`)
        .query({ state: "open", per_page: "100", page: "2" })
        .reply(200, [issue(5, `${MARKER}\nold body`)]);
    scope.get(`${API}/labels/backflow`).optionally().reply(200, { name: "backflow" });
  },
  mockWrites(scope) {
    scope.post(`${API}/issues`).optionally().reply(201, issue(9, ISSUE_BODY));
    scope.patch(`${API}/issues/5`).optionally().reply(200, issue(5, ISSUE_BODY));
  },
  run: (writer) =>
    ensureIssue(writer, {
      marker: MARKER,
      desired: { title: "Title", body: "the body", labels: ["backflow"] },
    }),
};

const COMMENT_BODY = `${MARKER}\nreport`;
const commentSubject: Subject = {
  kind: "comment",
  mockReads(scope, existing) {
    const path = `${API}/issues/3/comments`;
    const first =
      existing === "none" || existing === "page-2"
        ? [{ id: 1, body: "a person's comment" }]
        : [{ id: 7, body: existing === "same" ? COMMENT_BODY : `${MARKER}\nold report` }];
    scope
      .get(path)
      .query({ per_page: "100" })
      .reply(200, first, existing === "page-2" ? nextPage(path, "per_page=100") : {});
    if (existing === "page-2")
      scope
        .get(path)
        .query({ per_page: "100", page: "2" })
        .reply(200, [{ id: 7, body: `${MARKER}\nold report` }]);
  },
  mockWrites(scope) {
    scope.post(`${API}/issues/3/comments`).optionally().reply(201, { id: 8, body: COMMENT_BODY });
    scope.patch(`${API}/issues/comments/7`).optionally().reply(200, { id: 7, body: COMMENT_BODY });
  },
  run: (writer) => ensureComment(writer, { issueNumber: 3, marker: MARKER, body: COMMENT_BODY }),
};

const run = (id: number, summary: string, status = "completed") => ({
  id,
  name: "Backflow: test",
  head_sha: SHA,
  status,
  conclusion: status === "completed" ? "neutral" : null,
  output: { title: "t", summary, text: null },
});
const checkRunSubject: Subject = {
  kind: "check-run",
  mockReads(scope, existing) {
    const path = `${API}/commits/${SHA}/check-runs`;
    const query = { check_name: "Backflow: test", filter: "latest", per_page: "100" };
    const first =
      existing === "none" || existing === "page-2"
        ? [{ ...run(1, "s"), name: "Backflow: test", head_sha: "d".repeat(40) }]
        : [run(4, existing === "same" ? "s" : "old")];
    scope
      .get(path)
      .query(query)
      .reply(
        200,
        { total_count: existing === "page-2" ? 2 : 1, check_runs: first },
        existing === "page-2"
          ? nextPage(path, "check_name=Backflow%3A%20test&filter=latest&per_page=100")
          : {},
      );
    if (existing === "page-2")
      scope
        .get(path)
        .query({ ...query, page: "2" })
        .reply(200, { total_count: 2, check_runs: [run(4, "s", "in_progress")] });
  },
  mockWrites(scope) {
    scope.post(`${API}/check-runs`).optionally().reply(201, run(9, "s"));
    scope.patch(`${API}/check-runs/4`).optionally().reply(200, run(4, "s"));
  },
  run: (writer) =>
    ensureCheckRun(writer, {
      name: "Backflow: test",
      headSha: SHA,
      now: NOW,
      desired: { status: "completed", conclusion: "neutral", title: "t", summary: "s" },
    }),
};

const pr = (number: number, body: string) => ({ number, title: "Fix", body });
const prSubject: Subject = {
  kind: "pull-request",
  mockReads(scope, existing) {
    const found = existing === "none" ? [] : [pr(6, existing === "same" ? "the fix" : "old text")];
    scope
      .get(`${API}/pulls`)
      .query({ head: `${OWNER}:backflow/fix/x`, state: "open", per_page: "1" })
      .reply(200, found);
  },
  mockWrites(scope) {
    scope.post(`${API}/pulls`).optionally().reply(201, pr(11, "the fix"));
    scope.post(`${API}/issues/11/labels`).optionally().reply(200, []);
    scope.patch(`${API}/pulls/6`).optionally().reply(200, pr(6, "the fix"));
  },
  run: (writer) =>
    ensureProposalPr(writer, {
      branch: "backflow/fix/x",
      baseBranch: "main",
      title: "Fix",
      body: "the fix",
      labels: ["backflow:proposal"],
    }),
};

/** Each case: what exists, dry run or not, the action, and the writes that must reach GitHub. */
const CASES: ReadonlyArray<{
  subject: Subject;
  existing: Existing;
  dryRun: boolean;
  action: WriteAction;
  writes: string[];
}> = [
  {
    subject: issueSubject,
    existing: "none",
    dryRun: false,
    action: "created",
    writes: [`POST ${API}/issues`],
  },
  {
    subject: issueSubject,
    existing: "different",
    dryRun: false,
    action: "updated",
    writes: [`PATCH ${API}/issues/5`],
  },
  { subject: issueSubject, existing: "same", dryRun: false, action: "unchanged", writes: [] },
  {
    subject: issueSubject,
    existing: "page-2",
    dryRun: false,
    action: "updated",
    writes: [`PATCH ${API}/issues/5`],
  },
  { subject: issueSubject, existing: "none", dryRun: true, action: "dry-run", writes: [] },
  { subject: issueSubject, existing: "different", dryRun: true, action: "dry-run", writes: [] },
  {
    subject: commentSubject,
    existing: "none",
    dryRun: false,
    action: "created",
    writes: [`POST ${API}/issues/3/comments`],
  },
  {
    subject: commentSubject,
    existing: "different",
    dryRun: false,
    action: "updated",
    writes: [`PATCH ${API}/issues/comments/7`],
  },
  { subject: commentSubject, existing: "same", dryRun: false, action: "unchanged", writes: [] },
  {
    subject: commentSubject,
    existing: "page-2",
    dryRun: false,
    action: "updated",
    writes: [`PATCH ${API}/issues/comments/7`],
  },
  { subject: commentSubject, existing: "different", dryRun: true, action: "dry-run", writes: [] },
  {
    subject: checkRunSubject,
    existing: "none",
    dryRun: false,
    action: "created",
    writes: [`POST ${API}/check-runs`],
  },
  {
    subject: checkRunSubject,
    existing: "different",
    dryRun: false,
    action: "updated",
    writes: [`PATCH ${API}/check-runs/4`],
  },
  { subject: checkRunSubject, existing: "same", dryRun: false, action: "unchanged", writes: [] },
  // A run a dead worker left in progress (found on page 2): completed, not duplicated.
  {
    subject: checkRunSubject,
    existing: "page-2",
    dryRun: false,
    action: "updated",
    writes: [`PATCH ${API}/check-runs/4`],
  },
  { subject: checkRunSubject, existing: "none", dryRun: true, action: "dry-run", writes: [] },
  {
    subject: prSubject,
    existing: "none",
    dryRun: false,
    action: "created",
    writes: [`POST ${API}/pulls`, `POST ${API}/issues/11/labels`],
  },
  {
    subject: prSubject,
    existing: "different",
    dryRun: false,
    action: "updated",
    writes: [`PATCH ${API}/pulls/6`],
  },
  { subject: prSubject, existing: "same", dryRun: false, action: "unchanged", writes: [] },
  { subject: prSubject, existing: "none", dryRun: true, action: "dry-run", writes: [] },
];

afterEach(() => {
  nock.cleanAll();
});

describe("the GitHub writer layer", () => {
  it.each(CASES.map((c) => [c.subject.kind, c.existing, c.dryRun ? "dry run" : "live", c] as const))(
    "%s, existing %s, %s",
    async (_kind, _existing, _mode, c) => {
      const probot = await createTestProbot();
      mockInstallationToken();
      const octokit = await probot.auth(1);
      const metrics = createMetrics();
      const lines: Array<{ msg: string; payload?: unknown }> = [];
      const log = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      const scope = githubApi();
      c.subject.mockReads(scope, c.existing);
      c.subject.mockWrites(scope);
      const writer = createGitHubWriter({
        octokit,
        owner: OWNER,
        repo: REPO,
        log,
        dryRun: c.dryRun,
        metrics,
      });

      const result = await c.subject.run(writer);

      expect(result.action).toBe(c.action);
      const requests = takeRecordedRequests();
      expect(requests.flatMap(checkRequest)).toEqual([]);
      const writes = requests.filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"));
      expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual(c.writes);
      expect(metrics.githubWrites.get({ kind: c.subject.kind, action: c.action })).toBe(1);
      if (c.dryRun) expect(lines.some((l) => l.msg.startsWith("dry run: would") && l.payload)).toBe(true);
      // Every GET the case set up was needed (optional writes aside).
      expect(scope.pendingMocks().filter((m) => m.startsWith("GET") && !m.includes("/labels/"))).toEqual([]);
    },
  );

  it("skips a comment whose remembered hash matches without a single request", async () => {
    const probot = await createTestProbot();
    const log = pino({ level: "silent" });
    const writer = createGitHubWriter({ octokit: await probot.auth(), owner: OWNER, repo: REPO, log });
    const hash = commentHash("x");

    const result = await ensureComment(writer, { issueNumber: 3, body: "x", known: { id: 7, hash } });

    expect(result).toEqual({ action: "unchanged", id: 7, hash });
    expect(takeRecordedRequests()).toEqual([]);
  });
});
