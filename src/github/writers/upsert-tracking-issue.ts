import type { ProbotOctokit } from "probot";
import { GitHubWriteError } from "../../core/errors.js";
import type { RepoTarget } from "../app-deps.js";
import { leaseOwner, withLease } from "../with-lease.js";

export type TrackingIssueResult = {
  readonly action: "created" | "updated" | "unchanged" | "closed" | "none" | "dry-run";
  readonly number?: number;
};

type Input = RepoTarget & {
  /** The hidden HTML comment that identifies this issue, e.g. `<!-- backflow:config-error -->`. */
  readonly marker: string;
  /** The issue that should be open, or null when the problem is gone (an open one is closed). */
  readonly desired: { readonly title: string; readonly body: string } | null;
  /** Posted on the issue before closing it. */
  readonly closeComment?: string;
};

/** The open issue carrying `marker`, searched page by page (pull requests skipped). */
export async function findIssueByMarker(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  marker: string;
}): Promise<{ number: number; title: string; body: string } | undefined> {
  const { octokit, owner, repo, marker } = input;
  const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: "open",
    per_page: 100,
  });
  for await (const page of pages) {
    const hit = page.data.find((issue) => !issue.pull_request && issue.body?.includes(marker));
    if (hit) return { number: hit.number, title: hit.title, body: hit.body ?? "" };
  }
  return undefined;
}

async function reconcile(input: Input, body: string | undefined): Promise<TrackingIssueResult> {
  const { octokit, owner, repo, marker, desired, log } = input;
  const existing = await findIssueByMarker({ octokit, owner, repo, marker });
  if (desired === null || body === undefined) {
    if (!existing) return { action: "none" };
    if (input.closeComment) {
      await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: existing.number,
        body: input.closeComment,
      });
    }
    await octokit.rest.issues.update({
      owner,
      repo,
      issue_number: existing.number,
      state: "closed",
      state_reason: "completed",
    });
    log.info({ repo: `${owner}/${repo}`, issue: existing.number, marker }, "closed tracking issue");
    return { action: "closed", number: existing.number };
  }
  if (!existing) {
    const { data } = await octokit.rest.issues.create({ owner, repo, title: desired.title, body });
    log.info({ repo: `${owner}/${repo}`, issue: data.number, marker }, "opened tracking issue");
    return { action: "created", number: data.number };
  }
  if (existing.title === desired.title && existing.body === body)
    return { action: "unchanged", number: existing.number };
  await octokit.rest.issues.update({
    owner,
    repo,
    issue_number: existing.number,
    title: desired.title,
    body,
  });
  log.info({ repo: `${owner}/${repo}`, issue: existing.number, marker }, "updated tracking issue");
  return { action: "updated", number: existing.number };
}

/**
 * Keeps at most one open issue per marker in a repository: opens it, updates it when its text
 * changed, or closes it (with a comment) when `desired` is null. Serialized per repository and marker.
 * In dry-run mode it logs the exact payload and writes nothing.
 */
export async function upsertTrackingIssue(input: Input): Promise<TrackingIssueResult> {
  const { deps, log, owner, repo, marker, desired } = input;
  const body = desired
    ? desired.body.includes(marker)
      ? desired.body
      : `${marker}\n${desired.body}`
    : undefined;
  if (deps.dryRun) {
    const payload = desired
      ? { owner, repo, title: desired.title, body }
      : { owner, repo, marker, state: "closed" };
    log.info({ payload }, "dry run: would write tracking issue");
    return { action: "dry-run" };
  }
  const outcome = await withLease(
    {
      store: deps.store,
      name: `issue:${input.repoKey}:${marker}`,
      owner: leaseOwner("issue"),
      clock: deps.clock,
    },
    () => reconcile(input, body),
  );
  if (!outcome.acquired) {
    throw new GitHubWriteError(
      `Another delivery has been writing the ${marker} issue in ${owner}/${repo} for too long; redeliver the webhook to retry.`,
    );
  }
  return outcome.value;
}
