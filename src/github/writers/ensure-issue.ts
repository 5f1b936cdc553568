import { requestStatus } from "../request-errors.js";
import { postComment } from "./ensure-comment.js";
import { ensureLabels } from "./ensure-label.js";
import type { GitHubWriter, WriteAction } from "./github-writer.js";

/** An issue as the writers compare it with what it should say. */
export type FoundIssue = {
  readonly number: number;
  readonly nodeId: string;
  readonly state: "open" | "closed";
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  readonly closedAt: Date | null;
  readonly stateReason: string | null;
};

/** Where to look for the issue carrying a marker. */
export type IssueSearch = {
  /** The hidden HTML comment in the body that identifies the issue, e.g. `<!-- backflow:config-error -->`. */
  readonly marker: string;
  /** The number a store remembers; tried first (a deleted or moved issue falls back to the search). */
  readonly knownNumber?: number | null;
  /** Only issues with this label are listed (comma-separated names, as GitHub takes them). */
  readonly label?: string;
  /** Closed issues are searched too, those updated since this date; open ones only when absent. */
  readonly closedSince?: Date;
};

type IssueData = {
  number: number;
  node_id: string;
  state: string;
  title: string;
  body?: string | null;
  closed_at: string | null;
  state_reason?: string | null;
  pull_request?: unknown;
  labels?: ReadonlyArray<string | { name?: string }>;
};

function toIssue(data: IssueData): FoundIssue {
  return {
    number: data.number,
    nodeId: data.node_id,
    state: data.state === "open" ? "open" : "closed",
    title: data.title,
    body: data.body ?? "",
    labels: (data.labels ?? [])
      .map((l) => (typeof l === "string" ? l : (l.name ?? "")))
      .filter((l) => l !== ""),
    closedAt: data.closed_at ? new Date(data.closed_at) : null,
    stateReason: data.state_reason ?? null,
  };
}

/**
 * The issue carrying `search.marker`: the known number when it still carries the marker, else the
 * first match among open issues, then among recently closed ones, page by page (pull requests
 * skipped), so a lost database does not lead to a duplicate. Undefined when there is none.
 */
export async function findIssueByMarker(
  writer: GitHubWriter,
  search: IssueSearch,
): Promise<FoundIssue | undefined> {
  const { owner, repo } = writer;
  const { marker } = search;
  if (search.knownNumber != null) {
    const known = search.knownNumber;
    try {
      const { data } = await writer.read((o) => o.rest.issues.get({ owner, repo, issue_number: known }));
      if (!data.pull_request && data.body?.includes(marker)) return toIssue(data);
    } catch (error) {
      // Deleted (410) or moved away (404): look it up by marker instead.
      const status = requestStatus(error);
      if (status !== 404 && status !== 410) throw error;
    }
  }
  const states = search.closedSince ? (["open", "closed"] as const) : (["open"] as const);
  for (const state of states) {
    const pages = writer.octokit.paginate.iterator(writer.octokit.rest.issues.listForRepo, {
      owner,
      repo,
      state,
      per_page: 100,
      ...(search.label ? { labels: search.label } : {}),
      ...(state === "closed" && search.closedSince
        ? { since: search.closedSince.toISOString(), sort: "updated" as const }
        : {}),
    });
    const next = pages[Symbol.asyncIterator]();
    for (;;) {
      const page = await writer.read(() => next.next());
      if (page.done) break;
      const hit = page.value.data.find((issue) => !issue.pull_request && issue.body?.includes(marker));
      if (hit) return toIssue(hit);
    }
  }
  return undefined;
}

/** What an issue should say. `body` must contain the search marker (ensureIssue adds it when missing). */
export type IssueDesire = {
  readonly title: string;
  readonly body: string;
  /** Labels it must carry (created in the repository when missing); labels people added are kept. */
  readonly labels?: readonly string[];
  /** The description of a label that has to be created. */
  readonly labelDescription?: string;
  /** Users to assign when the issue is created (resolved lazily: it may cost requests). */
  readonly assignees?: () => Promise<readonly string[]>;
};

/**
 * What to do with a closed issue that carries the marker; the flow decides (reopen windows, a
 * person's "not planned" close), the writer only carries it out. `create` opens a new issue, which
 * `desired` may link to the closed one.
 */
export type ClosedIssueDecision = "reopen" | "create" | "leave";

export type EnsureIssueResult = {
  readonly action: WriteAction | "left-closed";
  /** The issue written or found; absent for a dry-run creation. */
  readonly number?: number;
  /** The created issue's node id (GraphQL), e.g. to pin it. */
  readonly nodeId?: string;
  /** The closed issue a newly created one replaces, if any. */
  readonly replaces?: number;
  /** The body as sent (marker included). */
  readonly body: string;
};

function withMarker(body: string, marker: string): string {
  return body.includes(marker) ? body : `${marker}\n${body}`;
}

async function createIssue(
  writer: GitHubWriter,
  desire: IssueDesire,
  body: string,
  replaces: number | undefined,
): Promise<EnsureIssueResult> {
  const labels = [...(desire.labels ?? [])];
  await ensureLabels(writer, labels, desire.labelDescription);
  const assignees = desire.assignees ? [...(await desire.assignees())] : [];
  const payload = {
    title: desire.title,
    body,
    ...(labels.length > 0 ? { labels } : {}),
    ...(assignees.length > 0 ? { assignees } : {}),
  };
  const created = await writer.send({ kind: "issue", verb: "create an issue", payload }, (o, p) =>
    o.rest.issues.create(p),
  );
  const action = created ? "created" : "dry-run";
  writer.record("issue", action, { issue: created?.data.number, replaces });
  return {
    action,
    body,
    ...(replaces === undefined ? {} : { replaces }),
    ...(created ? { number: created.data.number, nodeId: created.data.node_id } : {}),
  };
}

/**
 * Makes one issue carrying `marker` say `desired` (Renovate's `ensureIssue`, keyed by a hidden
 * marker instead of the title): creates it; updates title, body or missing labels only when they
 * differ (a no-op sends nothing); for a closed one, does what `onClosed` decides. `desired` may be a
 * function of the closed issue a new one replaces, so the new body can link it.
 */
export async function ensureIssue(
  writer: GitHubWriter,
  input: IssueSearch & {
    readonly desired: IssueDesire | ((replaces?: number) => IssueDesire);
    /** Defaults to reopening. Only reached when the search includes closed issues or a known number. */
    readonly onClosed?: (issue: FoundIssue) => ClosedIssueDecision;
    /** An issue found before (e.g. by the caller's own search); skips the lookup. */
    readonly found?: FoundIssue | null;
  },
): Promise<EnsureIssueResult> {
  const desire = (replaces?: number) =>
    typeof input.desired === "function" ? input.desired(replaces) : input.desired;
  const existing = input.found === undefined ? await findIssueByMarker(writer, input) : input.found;
  if (!existing) {
    const wanted = desire();
    return createIssue(writer, wanted, withMarker(wanted.body, input.marker), undefined);
  }
  const decision = existing.state === "closed" ? (input.onClosed?.(existing) ?? "reopen") : undefined;
  if (decision === "create") {
    const wanted = desire(existing.number);
    return createIssue(writer, wanted, withMarker(wanted.body, input.marker), existing.number);
  }
  const wanted = desire();
  const body = withMarker(wanted.body, input.marker);
  if (decision === "leave") {
    writer.record("issue", "unchanged", { issue: existing.number, state: "closed" });
    return { action: "left-closed", number: existing.number, body };
  }
  const missing = (wanted.labels ?? []).filter((l) => !existing.labels.includes(l));
  const changed = existing.title !== wanted.title || existing.body !== body || missing.length > 0;
  if (!changed && decision === undefined) {
    writer.record("issue", "unchanged", { issue: existing.number });
    return { action: "unchanged", number: existing.number, body };
  }
  if (missing.length > 0) await ensureLabels(writer, missing, wanted.labelDescription);
  const payload = {
    issue_number: existing.number,
    title: wanted.title,
    body,
    // `labels` replaces the set: keep the ones people added.
    ...(missing.length > 0 ? { labels: [...existing.labels, ...missing] } : {}),
    ...(decision === "reopen" ? { state: "open" as const } : {}),
  };
  const verb =
    decision === "reopen" ? `reopen issue #${existing.number}` : `update issue #${existing.number}`;
  const sent = await writer.send({ kind: "issue", verb, payload }, (o, p) => o.rest.issues.update(p));
  const action = !sent ? "dry-run" : decision === "reopen" ? "reopened" : "updated";
  writer.record("issue", action, { issue: existing.number });
  return { action, number: existing.number, body };
}

/**
 * Closes the open issue carrying the marker (state reason `completed`), after posting `comment` on
 * it when given. `none` when no open issue carries it.
 */
export async function ensureIssueClosed(
  writer: GitHubWriter,
  input: IssueSearch & { readonly comment?: string; readonly found?: FoundIssue | null },
): Promise<{ readonly action: "closed" | "none" | "dry-run"; readonly number?: number }> {
  const existing = input.found === undefined ? await findIssueByMarker(writer, input) : input.found;
  if (existing?.state !== "open") return { action: "none", ...(existing ? { number: existing.number } : {}) };
  const action = await closeIssue(writer, {
    issueNumber: existing.number,
    ...(input.comment === undefined ? {} : { comment: input.comment }),
  });
  return { action, number: existing.number };
}

/** Closes issue `issueNumber` (state reason `completed`), after posting `comment` on it when given. */
export async function closeIssue(
  writer: GitHubWriter,
  input: { readonly issueNumber: number; readonly comment?: string },
): Promise<"closed" | "dry-run"> {
  const issue_number = input.issueNumber;
  if (input.comment !== undefined)
    await postComment(writer, { issueNumber: issue_number, body: input.comment });
  const payload = { issue_number, state: "closed" as const, state_reason: "completed" as const };
  const sent = await writer.send({ kind: "issue", verb: `close issue #${issue_number}`, payload }, (o, p) =>
    o.rest.issues.update(p),
  );
  const action = sent ? "closed" : "dry-run";
  writer.record("issue", action, { issue: issue_number });
  return action;
}
