import { Octokit } from "@octokit/rest";

/** GitHub's limit on a comment body, in characters. */
const COMMENT_LIMIT = 65_536;

/** The hidden marker of the Action's comment for one pipeline directory: one comment per directory. */
export function commentMarker(path: string): string {
  return `<!-- backflow:action-comment ${path.replace(/-->/g, "")} -->`;
}

/** The comment body: the marker, then the markdown, cut to GitHub's limit with a note. */
export function commentBody(marker: string, markdown: string): string {
  const body = `${marker}\n${markdown}`;
  if (body.length <= COMMENT_LIMIT) return body;
  const note = "\n\n_…cut at GitHub's comment size limit; the job summary has the full report._";
  return `${body.slice(0, COMMENT_LIMIT - note.length)}${note}`;
}

/**
 * Keeps one comment on the pull request up to date: finds the comment carrying `marker` (every page of
 * comments), updates it when its body differs, creates it when there is none. Re-running is a no-op.
 */
export async function upsertStickyComment(input: {
  token: string;
  apiUrl?: string;
  repository: string;
  pr: number;
  marker: string;
  body: string;
}): Promise<"created" | "updated" | "unchanged"> {
  const [owner = "", repo = ""] = input.repository.split("/");
  const octokit = new Octokit({
    auth: input.token,
    userAgent: "backflow-action",
    ...(input.apiUrl ? { baseUrl: input.apiUrl } : {}),
    request: { fetch: globalThis.fetch },
  });
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: input.pr,
    per_page: 100,
  });
  const found = comments.find((c) => c.body?.includes(input.marker));
  if (found?.body === input.body) return "unchanged";
  if (found) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: found.id, body: input.body });
    return "updated";
  }
  await octokit.rest.issues.createComment({ owner, repo, issue_number: input.pr, body: input.body });
  return "created";
}
