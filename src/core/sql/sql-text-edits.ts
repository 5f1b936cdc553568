/** Small helpers for offset-preserving edits of a statement's characters, token by token. */
import type { SqlToken } from "./tokenize-sql.js";

/** Blanks a range with spaces (or writes `replacement` padded with spaces), keeping newlines in place. */
export function blank(chars: string[], start: number, end: number, replacement = ""): void {
  for (let i = start; i < end; i += 1) {
    const keep = chars[i] === "\n" || chars[i] === "\r";
    chars[i] = keep
      ? (chars[i] as string)
      : i - start < replacement.length
        ? (replacement[i - start] as string)
        : " ";
  }
}

/** Index of the `)` closing the `(` at `open`, or the last token when it is not closed. */
export function matchingParen(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i += 1) {
    const t = tokens[i] as SqlToken;
    if (t.text === "(") depth += 1;
    else if (t.text === ")" && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** Whether `token` is the keyword or identifier `word` (lower case). */
export function is(token: SqlToken | undefined, word: string): boolean {
  return token !== undefined && token.kind === "word" && token.text.toLowerCase() === word;
}
