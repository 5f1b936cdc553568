import type { ProbotOctokit } from "probot";
import type { ApiCounter } from "../impact/load-snapshots.js";
import { requestStatus } from "../request-errors.js";

/** A drift issue as the writer needs it. */
export type DriftIssue = {
  readonly number: number;
  readonly state: "open" | "closed";
  readonly title: string;
  readonly body: string;
  readonly closedAt: Date | null;
  readonly stateReason: string | null;
};

type IssueData = {
  number: number;
  state: string;
  title: string;
  body?: string | null;
  closed_at: string | null;
  state_reason?: string | null;
  pull_request?: unknown;
};

function toIssue(data: IssueData): DriftIssue {
  return {
    number: data.number,
    state: data.state === "open" ? "open" : "closed",
    title: data.title,
    body: data.body ?? "",
    closedAt: data.closed_at ? new Date(data.closed_at) : null,
    stateReason: data.state_reason ?? null,
  };
}

/**
 * The issue of a finding: the number the store remembers, else the issue whose body carries the
 * marker among the drift-labelled ones (open first, then closed since `closedSince`), page by page,
 * so a lost database does not lead to a duplicate. Undefined when there is none.
 */
export async function findDriftIssue(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  knownNumber: number | null;
  marker: string;
  label: string;
  closedSince: Date;
  api: ApiCounter;
}): Promise<DriftIssue | undefined> {
  const { octokit, owner, repo, api } = input;
  if (input.knownNumber !== null) {
    try {
      api.calls++;
      const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: input.knownNumber });
      if (!data.pull_request && data.body?.includes(input.marker)) return toIssue(data);
    } catch (error) {
      // Deleted (410) or moved away (404): look it up by marker instead.
      const status = requestStatus(error);
      if (status !== 404 && status !== 410) throw error;
    }
  }
  for (const state of ["open", "closed"] as const) {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
      owner,
      repo,
      state,
      labels: input.label,
      per_page: 100,
      ...(state === "closed" ? { since: input.closedSince.toISOString(), sort: "updated" as const } : {}),
    });
    for await (const page of pages) {
      api.calls++;
      const hit = page.data.find((issue) => !issue.pull_request && issue.body?.includes(input.marker));
      if (hit) return toIssue(hit);
    }
  }
  return undefined;
}
