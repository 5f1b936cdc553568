/**
 * Escaping for text that came from outside (signal notes, SQL, column names, comments) before it
 * enters markdown that Backflow posts: no @mentions, no HTML, no links or images that were not ours,
 * no table breakage, no closing of our code fences.
 */

const ZERO_WIDTH_JOINER = "\u200d";

/** Escapes untrusted text for inline use in markdown (paragraphs, list items, table cells). */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      // Backslash first so the escapes added below are not themselves escaped.
      .replace(/\\/g, "\\\\")
      .replace(/[`*_{}[\]()#+!|~-]/g, (c) => `\\${c}`)
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // A zero-width joiner after @ keeps the text readable but stops GitHub from notifying anyone.
      .replace(/@/g, `@${ZERO_WIDTH_JOINER}`)
      // Bare URLs autolink on GitHub; breaking the scheme separator keeps them as plain text.
      .replace(/:\/\//g, ":\u200b//")
      // Issue and commit references (#123, GH-123) would link and cross-reference.
      .replace(/\b(gh)-(\d)/gi, `$1-${ZERO_WIDTH_JOINER}$2`)
  );
}

/** Escapes untrusted text for a table cell: also folds newlines, which would end the row. */
export function escapeTableCell(text: string): string {
  return escapeMarkdown(text).replace(/\n+/g, " ");
}

/** Wraps untrusted text in a code span that it cannot break out of. */
export function codeSpan(text: string): string {
  const clean = text.replace(/\r?\n/g, " ").replace(/@/g, `@${ZERO_WIDTH_JOINER}`);
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Wraps untrusted multi-line text in a fenced block that it cannot close early. */
export function codeBlock(text: string, language = ""): string {
  const longestRun = Math.max(2, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}${language}\n${text.replace(/@/g, `@${ZERO_WIDTH_JOINER}`)}\n${fence}`;
}
