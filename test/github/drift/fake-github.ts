import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { githubApi, githubBase64, NOT_FOUND } from "../../helpers/github-nock.js";
import { REPO_ROOT } from "../../store/temp-db.js";

export const OWNER = "acme";
export const REPO = "shop";
export const HEAD_SHA = "c0ffee0000000000000000000000000000000001";

export type FakeIssue = {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  closed_at: string | null;
  state_reason: string | null;
  labels: string[];
  assignees: string[];
};

export type FakeGitHub = {
  readonly issues: Map<number, FakeIssue>;
  readonly comments: Array<{ issue: number; body: string }>;
  readonly labels: Set<string>;
  /** Every request, as `METHOD path` (query stripped), in order. */
  readonly requests: string[];
  /** The clock the fake stamps `closed_at` with. */
  now: () => Date;
};

/** The example shop repository's files triage reads, with `.github/backflow.yml` replaced when given. */
export function exampleFiles(config?: string): Map<string, string> {
  const root = join(REPO_ROOT, "examples", "shop");
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(sql|ya?ml)$|CODEOWNERS$/.test(entry.name))
        files.set(relative(root, full).split(sep).join("/"), readFileSync(full, "utf8"));
    }
  };
  walk(root);
  if (config !== undefined) files.set(".github/backflow.yml", config);
  return files;
}

const blobSha = (text: string) => createHash("sha1").update(text).digest("hex");

type Reply = [number, unknown];
/** A nock reply function that records `METHOD path` before answering. */
function logged(fake: FakeGitHub, method: string, answer: () => Reply) {
  return (uri: string): Reply => {
    fake.requests.push(`${method} ${uri.split("?")[0]}`);
    return answer();
  };
}

const json = (text: string | undefined): Record<string, unknown> => (text ? JSON.parse(text) : {});

function mockRepository(prefix: string, files: Map<string, string>, fake: FakeGitHub): void {
  const blobs = new Map([...files.values()].map((text) => [blobSha(text), text]));
  const scope = githubApi({ persist: true });
  const log = (method: string) => (uri: string) => fake.requests.push(`${method} ${uri.split("?")[0]}`);
  scope
    .get(prefix)
    .reply(
      logged(
        fake,
        "GET",
        (): Reply => [200, { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, default_branch: "main" }],
      ),
    );
  scope
    .get(/\/git\/ref\/heads(%2F|\/)main$/)
    .reply(
      logged(
        fake,
        "GET",
        (): Reply => [200, { ref: "refs/heads/main", object: { sha: HEAD_SHA, type: "commit" } }],
      ),
    );
  scope
    .get(`${prefix}/git/trees/${HEAD_SHA}`)
    .query(true)
    .reply((uri) => {
      log("GET")(uri);
      const tree = [...files].map(([path, text]) => ({
        path,
        type: "blob",
        sha: blobSha(text),
        size: text.length,
        mode: "100644",
      }));
      return [200, { sha: HEAD_SHA, truncated: false, tree }];
    });
  // A merge commit's first parent (the canary compares it with the merge; every comparison is empty here).
  scope
    .get(new RegExp(`${prefix}/git/commits/[0-9a-f]{40}$`))
    .reply(
      logged(
        fake,
        "GET",
        (): Reply => [200, { sha: HEAD_SHA, parents: [{ sha: HEAD_SHA }], tree: { sha: HEAD_SHA } }],
      ),
    );
  scope
    .get(new RegExp(`${prefix}/compare/`))
    .query(true)
    .reply(logged(fake, "GET", (): Reply => [200, { files: [], merge_base_commit: { sha: HEAD_SHA } }]));
  scope.get(new RegExp(`${prefix}/git/blobs/`)).reply((uri): Reply => {
    log("GET")(uri);
    const text = blobs.get(uri.split("/").pop() ?? "");
    return text === undefined ? [404, NOT_FOUND] : [200, { encoding: "base64", content: githubBase64(text) }];
  });
}

function mockHistory(prefix: string, fake: FakeGitHub, commitsByPath: Record<string, unknown[]>): void {
  const scope = githubApi({ persist: true });
  scope
    .get(`${prefix}/commits`)
    .query(true)
    .reply((uri): Reply => {
      fake.requests.push(`GET ${uri.split("?")[0]}`);
      const path = new URL(uri, "https://api.github.com").searchParams.get("path") ?? "";
      return [200, commitsByPath[path] ?? []];
    });
  scope
    .get(new RegExp(`${prefix}/commits/[0-9a-f]+/pulls`))
    .query(true)
    .reply(logged(fake, "GET", (): Reply => [200, [{ number: 42 }]]));
}

function mockPeople(prefix: string, fake: FakeGitHub, assignable: readonly string[]): void {
  const scope = githubApi({ persist: true });
  scope.get(new RegExp(`${prefix}/labels/.+`)).reply((uri): Reply => {
    fake.requests.push(`GET ${uri}`);
    const name = decodeURIComponent(uri.split("/").pop() ?? "");
    return fake.labels.has(name) ? [200, { name }] : [404, NOT_FOUND];
  });
  scope.post(`${prefix}/labels`).reply((uri, body): Reply => {
    fake.requests.push(`POST ${uri}`);
    const name = String((body as { name: string }).name);
    fake.labels.add(name);
    return [201, { name }];
  });
  scope.get(new RegExp(`${prefix}/assignees/.+`)).reply((uri): Reply => {
    fake.requests.push(`GET ${uri}`);
    return assignable.includes(uri.split("/").pop() ?? "") ? [204, ""] : [404, NOT_FOUND];
  });
}

function mockIssues(prefix: string, fake: FakeGitHub): void {
  const scope = githubApi({ persist: true });
  scope.post(`${prefix}/issues`).reply((uri, raw): Reply => {
    fake.requests.push(`POST ${uri}`);
    const body = raw as { title: string; body: string; labels?: string[]; assignees?: string[] };
    const number = fake.issues.size + 1;
    const issue: FakeIssue = {
      number,
      title: body.title,
      body: body.body,
      state: "open",
      closed_at: null,
      state_reason: null,
      labels: body.labels ?? [],
      assignees: body.assignees ?? [],
    };
    fake.issues.set(number, issue);
    return [201, issueJson(issue)];
  });
  scope
    .get(`${prefix}/issues`)
    .query(true)
    .reply((uri): Reply => {
      fake.requests.push(`GET ${uri.split("?")[0]}`);
      const query = new URL(uri, "https://api.github.com").searchParams;
      const list = [...fake.issues.values()].filter(
        (i) =>
          (query.get("state") === "all" || i.state === query.get("state")) &&
          (!query.get("labels") || i.labels.includes(query.get("labels") ?? "")),
      );
      return [200, list.map(issueJson)];
    });
  scope.get(new RegExp(`${prefix}/issues/\\d+$`)).reply((uri): Reply => {
    fake.requests.push(`GET ${uri}`);
    const issue = fake.issues.get(Number(uri.split("/").pop()));
    return issue ? [200, issueJson(issue)] : [404, NOT_FOUND];
  });
  scope.patch(new RegExp(`${prefix}/issues/\\d+$`)).reply((uri, raw): Reply => {
    fake.requests.push(`PATCH ${uri}`);
    const issue = fake.issues.get(Number(uri.split("/").pop()));
    if (!issue) return [404, NOT_FOUND];
    const patch = json(JSON.stringify(raw)) as Partial<FakeIssue>;
    Object.assign(issue, patch);
    if (patch.state === "closed") issue.closed_at = fake.now().toISOString();
    if (patch.state === "open") Object.assign(issue, { closed_at: null, state_reason: null });
    return [200, issueJson(issue)];
  });
  scope.post(new RegExp(`${prefix}/issues/\\d+/comments$`)).reply((uri, raw): Reply => {
    fake.requests.push(`POST ${uri}`);
    fake.comments.push({ issue: Number(uri.split("/").at(-2)), body: (raw as { body: string }).body });
    return [201, { id: fake.comments.length }];
  });
}

function issueJson(issue: FakeIssue) {
  return {
    ...issue,
    labels: issue.labels.map((name) => ({ name })),
    assignees: issue.assignees.map((login) => ({ login })),
  };
}

/**
 * A stateful GitHub for one repository on nock: the example shop at HEAD_SHA, issues, comments,
 * labels and assignees kept in memory. Every request also goes through the OpenAPI conformance check.
 */
export function fakeGitHub(
  input: {
    config?: string;
    commits?: Record<string, unknown[]>;
    assignable?: readonly string[];
    now?: () => Date;
  } = {},
): FakeGitHub {
  const fake: FakeGitHub = {
    issues: new Map(),
    comments: [],
    labels: new Set(),
    requests: [],
    now: input.now ?? (() => new Date()),
  };
  const prefix = `/repos/${OWNER}/${REPO}`;
  mockRepository(prefix, exampleFiles(input.config), fake);
  mockHistory(prefix, fake, input.commits ?? {});
  mockPeople(prefix, fake, input.assignable ?? []);
  mockIssues(prefix, fake);
  return fake;
}
