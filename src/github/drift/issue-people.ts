import type { ProbotOctokit } from "probot";
import type { ApiCounter } from "../repo-context/api-counter.js";
import { isNotFound } from "../request-errors.js";

/** GitHub accepts at most 10 assignees on an issue. */
const MAX_ASSIGNEES = 10;

/**
 * The owners that are users (`@login`, not `@org/team` or emails) and can be assigned issues in the
 * repository, in order, at most ten. Teams cannot be assignees; they are mentioned when configured.
 */
export async function assignableUsers(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  owners: readonly string[];
  api: ApiCounter;
}): Promise<string[]> {
  const { octokit, owner, repo, api } = input;
  const logins = [
    ...new Set(input.owners.filter((o) => /^@[A-Za-z0-9-]+$/.test(o)).map((o) => o.slice(1))),
  ].slice(0, MAX_ASSIGNEES);
  const assignable: string[] = [];
  for (const assignee of logins) {
    try {
      api.calls++;
      await octokit.rest.issues.checkUserCanBeAssigned({ owner, repo, assignee });
      assignable.push(assignee);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return assignable;
}
