import { codeSpan, escapeMarkdown } from "./escape-markdown.js";

/**
 * Where references to code point: permalinks into a GitHub repository at one commit, or, when there
 * is none (a local checkout in the CLI), repository-relative `path:line` that any editor opens.
 */
export type CodeLinks =
  | { readonly kind: "github"; readonly owner: string; readonly repo: string; readonly sha: string }
  | { readonly kind: "local" };

/** A blob permalink at a commit; each path segment encoded, so a file name cannot alter the URL. */
export function permalink(input: {
  owner: string;
  repo: string;
  sha: string;
  file: string;
  line?: number;
}): string {
  const path = input.file.split("/").map(encodeURIComponent).join("/");
  const anchor = input.line ? `#L${input.line}` : "";
  return `https://github.com/${encodeURIComponent(input.owner)}/${encodeURIComponent(input.repo)}/blob/${encodeURIComponent(input.sha)}/${path}${anchor}`;
}

/** Markdown for a file (and line): a link with GitHub, a code span `path:line` without. */
export function codeLink(links: CodeLinks, file: string, line?: number): string {
  const text = `${file}${line ? `:${line}` : ""}`;
  if (links.kind === "local") return codeSpan(text);
  return `[${escapeMarkdown(text)}](${permalink({ ...links, file, line })})`;
}

/** Markdown for a commit: its short SHA, linked with GitHub. */
export function commitLink(links: CodeLinks, sha: string): string {
  const short = sha.slice(0, 7);
  if (links.kind === "local") return codeSpan(short);
  return `[${escapeMarkdown(short)}](https://github.com/${encodeURIComponent(links.owner)}/${encodeURIComponent(links.repo)}/commit/${encodeURIComponent(sha)})`;
}

/**
 * The links for a CLI run: GitHub permalinks only when both the repository (`owner/repo`) and the
 * commit are known, so the CLI never prints a link that leads nowhere.
 */
export function cliCodeLinks(github: string | undefined, sha: string | undefined): CodeLinks {
  const [owner, repo, ...rest] = (github ?? "").split("/");
  if (!owner || !repo || rest.length > 0 || !sha) return { kind: "local" };
  return { kind: "github", owner, repo, sha };
}
