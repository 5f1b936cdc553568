import type { Dialect } from "../config/schema.js";
import { hashStartsComment } from "../sql/dialects.js";
import { type SqlToken, tokenizeSql } from "../sql/tokenize-sql.js";

/** A token of a model's text with its parenthesis depth; offsets are into the original text. */
export type ScannedToken = SqlToken & { readonly depth: number };

/** A model's SQL as tokens, with Jinja tags blanked out so they read as whitespace but keep offsets. */
export type ScannedModel = {
  readonly text: string;
  readonly tokens: readonly ScannedToken[];
  /** [start, end) of every Jinja tag (`{{ }}`, `{% %}`, `{# #}`). */
  readonly jinja: ReadonlyArray<readonly [number, number]>;
};

const JINJA_OPEN: Readonly<Record<string, string>> = { "{{": "}}", "{%": "%}", "{#": "#}" };

function maskJinja(text: string): { masked: string; jinja: Array<[number, number]> } {
  const jinja: Array<[number, number]> = [];
  let masked = "";
  let i = 0;
  while (i < text.length) {
    const close = JINJA_OPEN[text.slice(i, i + 2)];
    if (!close) {
      masked += text[i];
      i++;
      continue;
    }
    const at = text.indexOf(close, i + 2);
    const end = at === -1 ? text.length : at + 2;
    jinja.push([i, end]);
    masked += text.slice(i, end).replace(/[^\n]/g, " ");
    i = end;
  }
  return { masked, jinja };
}

/** Tokenizes a model (plain SQL or dbt SQL + Jinja) for locating text to edit; never throws. */
export function scanModel(text: string, dialect: Dialect): ScannedModel {
  const { masked, jinja } = maskJinja(text);
  let depth = 0;
  const tokens = tokenizeSql(masked, { hashComments: hashStartsComment(dialect) }).map((t) => {
    if (t.text === ")") depth = Math.max(0, depth - 1);
    const scanned = { ...t, text: text.slice(t.start, t.end), depth };
    if (t.text === "(") depth++;
    return scanned;
  });
  return { text, tokens, jinja };
}

/** Whether a token is the keyword `word` (case-insensitive). */
export function isWord(token: SqlToken | undefined, ...words: string[]): boolean {
  return token?.kind === "word" && words.includes(token.text.toLowerCase());
}

/** Offset of the first character of 1-based `line`. */
export function lineStart(text: string, line: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", at);
    if (next === -1) return text.length;
    at = next + 1;
  }
  return at;
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}

/** Token index range [from, to) of the statement (split at top-level `;`) that contains `offset`. */
export function statementAround(model: ScannedModel, offset: number): { from: number; to: number } {
  const { tokens } = model;
  let from = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as ScannedToken;
    if (t.text !== ";" || t.depth !== 0) continue;
    if (t.start >= offset && i > from) return { from, to: i };
    from = i + 1;
  }
  return { from, to: tokens.length };
}

/** End offset of the last Jinja tag or token inside [from, to), whichever is later. */
export function contentEnd(model: ScannedModel, lastToken: ScannedToken | undefined, limit: number): number {
  let end = lastToken?.end ?? 0;
  for (const [s, e] of model.jinja) if (s >= end && e <= limit) end = e;
  return end;
}
