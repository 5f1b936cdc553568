import { GitHubWriteError } from "../../core/errors.js";
import type { RepoTarget } from "../app-deps.js";
import { leaseOwner, withLease } from "../with-lease.js";
import { ensureIssue, ensureIssueClosed } from "./ensure-issue.js";
import { writerFor } from "./github-writer.js";

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

/**
 * Keeps at most one open issue per marker in a repository: opens it, updates it when its text
 * changed, or closes it (with a comment) when `desired` is null. Only open issues are searched, so a
 * closed one is never reopened: a problem that comes back gets a new issue. Serialized per
 * repository and marker. In dry run it reads, logs the exact payload and writes nothing.
 */
export async function upsertTrackingIssue(input: Input): Promise<TrackingIssueResult> {
  const { deps, log, owner, repo, marker, desired } = input;
  const outcome = await withLease(
    {
      store: deps.store,
      name: `issue:${input.repoKey}:${marker}`,
      owner: leaseOwner("issue"),
      clock: deps.clock,
    },
    async (): Promise<TrackingIssueResult> => {
      const writer = writerFor(input);
      const written = desired
        ? await ensureIssue(writer, { marker, desired })
        : await ensureIssueClosed(writer, {
            marker,
            ...(input.closeComment === undefined ? {} : { comment: input.closeComment }),
          });
      // Only open issues are searched, so none is ever reopened or left closed.
      const action =
        written.action === "reopened"
          ? "updated"
          : written.action === "left-closed"
            ? "none"
            : written.action;
      if (action !== "unchanged" && action !== "none")
        log.info({ repo: input.repoKey, issue: written.number, marker, action }, "tracking issue written");
      return { action, ...(written.number === undefined ? {} : { number: written.number }) };
    },
  );
  if (!outcome.acquired) {
    throw new GitHubWriteError(
      `Another delivery has been writing the ${marker} issue in ${owner}/${repo} for too long; redeliver the webhook to retry.`,
    );
  }
  return outcome.value;
}
