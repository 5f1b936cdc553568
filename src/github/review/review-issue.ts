import type { RepoTarget } from "../app-deps.js";
import { requestStatus } from "../request-errors.js";

export type ReviewIssueResult = {
  readonly action: "created" | "updated" | "unchanged" | "left-closed" | "dry-run";
  readonly number?: number;
};

type Found = { number: number; state: string; title: string; body: string };

/** The issue carrying `marker`: the known number if it still carries it, else any issue updated since `since`. */
async function findReviewIssue(
  target: RepoTarget,
  marker: string,
  knownNumber: number | null,
  since: Date,
): Promise<Found | undefined> {
  const { octokit, owner, repo } = target;
  if (knownNumber !== null) {
    try {
      const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: knownNumber });
      if (!data.pull_request && data.body?.includes(marker))
        return { number: data.number, state: data.state, title: data.title, body: data.body ?? "" };
    } catch (error) {
      const status = requestStatus(error);
      if (status !== 404 && status !== 410) throw error;
    }
  }
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: "all",
    since: since.toISOString(),
    per_page: 100,
  })) {
    const hit = page.data.find((i) => !i.pull_request && i.body?.includes(marker));
    if (hit) return { number: hit.number, state: hit.state, title: hit.title, body: hit.body ?? "" };
  }
  return undefined;
}

/**
 * Keeps one review issue per period, found by the period's hidden marker (open, or closed since
 * the period began): created with the label, updated only when its text changed, and left alone
 * once a person closed it. Dry run logs the exact payload.
 */
export async function ensureReviewIssue(
  target: RepoTarget & {
    marker: string;
    knownNumber: number | null;
    since: Date;
    title: string;
    body: string;
    label: string;
  },
): Promise<ReviewIssueResult> {
  const { octokit, owner, repo, deps, title, body } = target;
  const found = await findReviewIssue(target, target.marker, target.knownNumber, target.since);
  if (found?.state === "closed") return { action: "left-closed", number: found.number };
  if (found && found.title === title && found.body === body)
    return { action: "unchanged", number: found.number };
  if (deps.dryRun) {
    const payload = found
      ? { owner, repo, issue_number: found.number, title, body }
      : { owner, repo, title, body, labels: [target.label] };
    target.log.info({ payload }, "dry run: would write review issue");
    return { action: "dry-run", ...(found ? { number: found.number } : {}) };
  }
  if (found) {
    await octokit.rest.issues.update({ owner, repo, issue_number: found.number, title, body });
    return { action: "updated", number: found.number };
  }
  // GitHub creates the label when the repository does not have it yet.
  const { data } = await octokit.rest.issues.create({ owner, repo, title, body, labels: [target.label] });
  return { action: "created", number: data.number };
}
