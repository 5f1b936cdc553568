/**
 * Escaping for text that came from outside (signal notes, SQL, column names, comments) before it
 * enters markdown that Backflow posts: no @mentions, no HTML, no links or images that were not ours,
 * no headings or lists started by a newline, no table breakage, no closing of our code fences, and no
 * terminal or bidirectional control characters.
 */

const ZERO_WIDTH_JOINER = "\u200d";
const ZERO_WIDTH_SPACE = "\u200b";

/**
 * Control characters that draw nothing but can rewrite a terminal (`\x1b]0;…\x07`, `\x1b[2J`), hide
 * text (bidirectional overrides, "Trojan Source") or end a line where a reader sees none.
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** An escape sequence is removed whole (OSC up to BEL or ST, CSI up to its final byte), not just its ESC. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const ANSI = /\u001b(?:\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])/g;

/**
 * Removes terminal escape sequences and other control characters, keeping newlines and turning tabs
 * and carriage returns into what they look like. Safe for CLI output and plain-text titles.
 *
 * @example stripControl("a\u001b[2Jb\u0007") // "ab"
 */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(ANSI, "").replace(CONTROL, "").replace(/\t/g, " ");
}

/** Untrusted text on one line (issue titles, labels): controls removed, line breaks folded. */
export function plainLine(text: string): string {
  return stripControl(text).replace(/\s*\n\s*/g, " ");
}

/**
 * Escapes untrusted text for inline use in markdown (paragraphs, list items, table cells). Newlines
 * are kept, but no line can start a heading, list, quote, code block or setext underline.
 */
export function escapeMarkdown(text: string): string {
  return (
    stripControl(text)
      // Backslash and ampersand first so the escapes added below are not themselves escaped.
      .replace(/\\/g, "\\\\")
      .replace(/&/g, "&amp;")
      .replace(/[`*_{}[\]()#+!|~=-]/g, (c) => `\\${c}`)
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // A zero-width joiner after @ keeps the text readable but stops GitHub from notifying anyone
      // and breaks e-mail and mailto: autolinks.
      .replace(/@/g, `@${ZERO_WIDTH_JOINER}`)
      // Bare URLs autolink on GitHub; breaking the scheme separator and `www.` keeps them as plain text.
      .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`)
      // (every `www.`, even after `_` or `*`, where GitHub still starts a link)
      .replace(/(www)\./gi, `$1${ZERO_WIDTH_SPACE}.`)
      // Issue and commit references (#123, GH-123) would link and cross-reference.
      .replace(/\\#(\d)/g, `\\#${ZERO_WIDTH_JOINER}$1`)
      .replace(/\b(gh)\\-(\d)/gi, `$1\\-${ZERO_WIDTH_JOINER}$2`)
      // Line starts: indentation would open a code block, `1.` or `1)` an ordered list.
      .replace(/^[ \t]+/gm, "")
      .replace(/^(\d+)([.)])(?=\s|$)/gm, "$1\\$2")
      // A blank line would end the list item or paragraph the text sits in.
      .replace(/\n{2,}/g, "\n")
  );
}

/** Escapes untrusted text for a table cell: also folds newlines, which would end the row. */
export function escapeTableCell(text: string): string {
  return escapeMarkdown(text).replace(/\n+/g, " ");
}

/**
 * Wraps untrusted text in a code span that it cannot break out of. GitHub neither links nor notifies
 * inside code spans, so `@org/team` stays exactly what a reader copies.
 */
export function codeSpan(text: string): string {
  const clean = stripControl(text).replace(/\n/g, " ");
  const longestRun = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Wraps untrusted multi-line text in a fenced block that it cannot close early. */
export function codeBlock(text: string, language = ""): string {
  const clean = stripControl(text);
  const longestRun = Math.max(2, ...(clean.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}${language}\n${clean}\n${fence}`;
}
