import { marked } from "marked";

/**
 * The text GitHub would scan for mentions and references: the markdown rendered as GitHub-flavoured
 * HTML with code spans and blocks removed (GitHub neither notifies nor links inside code).
 */
export function textOutsideCode(markdown: string): string {
  const html = marked.parse(markdown, { gfm: true, async: false });
  return html.replace(/<pre>[\s\S]*?<\/pre>/g, "").replace(/<code>[\s\S]*?<\/code>/g, "");
}

/** `@handle` mentions that would notify someone. */
export function liveMentions(markdown: string): string[] {
  return textOutsideCode(markdown).match(/@[A-Za-z0-9][A-Za-z0-9-]*/g) ?? [];
}
