/** Splits a Jinja template into text, `{{ output }}` and `{% tag %}` segments, each with its source line. */

export type Segment =
  | { readonly kind: "text"; readonly text: string; readonly line: number }
  | { readonly kind: "output" | "tag"; readonly body: string; readonly line: number };

export type LexProblem = { readonly line: number; readonly message: string };

export type LexResult = { readonly segments: Segment[]; readonly problems: LexProblem[] };

const CLOSERS = { "{{": "}}", "{%": "%}", "{#": "#}" } as const;

/**
 * Lexes `text`. Whitespace control (`{%-`, `-%}`, …) is applied here, to the neighbouring text.
 * `{% raw %}` bodies become text. An unclosed tag is reported and dropped up to the end of its line.
 */
export function lexTemplate(text: string): LexResult {
  const segments: Segment[] = [];
  const problems: LexProblem[] = [];
  const lineAt = lineCounter(text);
  let pos = 0;
  let trimNext = false;
  const pushText = (start: number, end: number, trimEnd: boolean): void => {
    let s = start;
    let e = end;
    if (trimNext) while (s < e && isSpace(text.charCodeAt(s))) s++;
    if (trimEnd) while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    if (e > s) segments.push({ kind: "text", text: text.slice(s, e), line: lineAt(s) });
  };
  while (pos < text.length) {
    const open = findOpener(text, pos);
    if (open < 0) break;
    const opener = text.slice(open, open + 2) as keyof typeof CLOSERS;
    const trimBefore = text[open + 2] === "-";
    pushText(pos, open, trimBefore);
    trimNext = false;
    const bodyStart = open + 2 + (trimBefore || text[open + 2] === "+" ? 1 : 0);
    const close = findCloser(text, bodyStart, CLOSERS[opener], opener !== "{#");
    if (close < 0) {
      const line = lineAt(open);
      problems.push({
        line,
        message: `unclosed "${opener}" at line ${line}: add the missing "${CLOSERS[opener]}"`,
      });
      const eol = text.indexOf("\n", open);
      pos = eol < 0 ? text.length : eol;
      continue;
    }
    const trimAfter = text[close - 1] === "-" && close - 1 >= bodyStart;
    const bodyEnd = trimAfter || (text[close - 1] === "+" && close - 1 >= bodyStart) ? close - 1 : close;
    pos = close + 2;
    trimNext = trimAfter;
    if (opener === "{#") continue;
    const body = text.slice(bodyStart, bodyEnd);
    const line = lineAt(open);
    if (opener === "{%" && /^\s*raw\s*$/.test(body)) {
      pos = lexRaw(text, pos, lineAt, segments, problems, line);
      trimNext = false;
      continue;
    }
    segments.push({ kind: opener === "{{" ? "output" : "tag", body, line });
  }
  if (pos < text.length) pushText(pos, text.length, false);
  return { segments, problems };
}

function lexRaw(
  text: string,
  from: number,
  lineAt: (offset: number) => number,
  segments: Segment[],
  problems: LexProblem[],
  line: number,
): number {
  const end = /\{%-?\s*endraw\s*-?%\}/g;
  end.lastIndex = from;
  const match = end.exec(text);
  const stop = match ? match.index : text.length;
  if (stop > from) segments.push({ kind: "text", text: text.slice(from, stop), line: lineAt(from) });
  if (!match) {
    problems.push({ line, message: `"{% raw %}" at line ${line} has no "{% endraw %}"` });
    return text.length;
  }
  return match.index + match[0].length;
}

function findOpener(text: string, from: number): number {
  let i = text.indexOf("{", from);
  while (i >= 0 && i < text.length - 1) {
    const next = text[i + 1];
    if (next === "{" || next === "%" || next === "#") return i;
    i = text.indexOf("{", i + 1);
  }
  return -1;
}

/** Finds the closer, skipping quoted strings inside expressions so `'}}'` in a literal does not end the tag. */
function findCloser(text: string, from: number, closer: string, skipStrings: boolean): number {
  let i = from;
  while (i < text.length - 1) {
    const c = text[i];
    if (skipStrings && (c === "'" || c === '"')) {
      const end = skipString(text, i);
      if (end >= 0) {
        i = end;
        continue;
      }
    }
    if (c === closer[0] && text[i + 1] === closer[1]) return i;
    i++;
  }
  return -1;
}

/** Returns the offset after the closing quote, or -1 when the string is not closed on the same tag. */
function skipString(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === quote) return i + 1;
    else if (c === "\n") return -1;
  }
  return -1;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

/** Maps an offset to its 1-based line with a binary search over newline offsets. */
export function lineCounter(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
