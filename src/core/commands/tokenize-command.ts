import { codeSpan } from "../render/escape-markdown.js";
export type Tokenized =
  | { readonly ok: true; readonly tokens: string[] }
  | { readonly ok: false; readonly error: string };

// Straight and typographic quotes; editors on phones and macOS often replace one with the other.
const CLOSING: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "\u201c": "\u201d",
  "\u2018": "\u2019",
};

/**
 * Splits a command line into words; "double" or 'single' quotes (straight or curly) keep spaces in
 * one word, and a backslash escapes the next character inside quotes. A quote inside a word
 * (`don't`) is an apostrophe, not an opening quote.
 * @example tokenizeCommand(`annotate orders event .. "Black Friday"`) // ["annotate", "orders", "event", "..", "Black Friday"]
 */
export function tokenizeCommand(line: string): Tokenized {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length) break;
    const close = CLOSING[line[i] as string];
    if (close !== undefined) {
      let word = "";
      let j = i + 1;
      while (j < line.length && line[j] !== close) {
        if (line[j] === "\\" && j + 1 < line.length) j++;
        word += line[j];
        j++;
      }
      if (j >= line.length)
        return {
          ok: false,
          error: `a quote opened at ${codeSpan(`${line.slice(i, i + 12)}…`)} is never closed`,
        };
      tokens.push(word);
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < line.length && !/\s/.test(line[j] as string)) j++;
    tokens.push(line.slice(i, j));
    i = j;
  }
  return { ok: true, tokens };
}
