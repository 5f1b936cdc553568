/**
 * The form of SQL text that only changes when its meaning can: comments (`--`, `/* *\/`, Jinja `{# #}`)
 * removed, whitespace collapsed (and dropped next to punctuation), keywords and identifiers
 * lower-cased. String literals and quoted identifiers are kept exactly.
 * @example normalizeSql("SELECT  a -- note\n FROM t") === normalizeSql("select a from t")
 */
export function normalizeSql(text: string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    const skipped = commentLength(text, i);
    if (skipped > 0) {
      parts.push(" ");
      i += skipped;
      continue;
    }
    const ch = text[i] ?? "";
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = quotedEnd(text, i, ch);
      parts.push(text.slice(i, end));
      i = end;
      continue;
    }
    parts.push(/\s/.test(ch) ? " " : ch.toLowerCase());
    i++;
  }
  return parts
    .join("")
    .replace(/ +/g, " ")
    .replace(/ ?([(),;=<>+*/|{}%-]) ?/g, "$1")
    .trim();
}

/** Length of the comment starting at `at` (0 when none does). */
function commentLength(text: string, at: number): number {
  if (text.startsWith("--", at)) {
    const end = text.indexOf("\n", at);
    return (end < 0 ? text.length : end) - at;
  }
  for (const [open, close] of [
    ["/*", "*/"],
    ["{#", "#}"],
  ] as const) {
    if (!text.startsWith(open, at)) continue;
    const end = text.indexOf(close, at + open.length);
    return (end < 0 ? text.length : end + close.length) - at;
  }
  return 0;
}

/** Index just past the closing quote; a doubled quote is an escaped one. */
function quotedEnd(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === "\\" && quote === "'") {
      i += 2;
      continue;
    }
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}
