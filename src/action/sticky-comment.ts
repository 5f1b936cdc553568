import { Octokit } from "@octokit/rest";
import { ensureComment } from "../github/writers/ensure-comment.js";
import { createGitHubWriter } from "../github/writers/github-writer.js";

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

/** The Action reports the outcome itself; the writer's own log lines have nowhere to go. */
const QUIET = { info() {}, debug() {} };

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
  const writer = createGitHubWriter({ octokit, owner, repo, log: QUIET });
  const written = await ensureComment(writer, {
    issueNumber: input.pr,
    marker: input.marker,
    body: input.body,
  });
  // Never a dry run here, so every write was sent.
  return written.action === "created" || written.action === "updated" ? written.action : "unchanged";
}
