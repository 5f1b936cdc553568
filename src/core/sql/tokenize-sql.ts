/** A lexical token of SQL text, with offsets into the text it came from. */
export type SqlToken = {
  readonly kind: "word" | "quoted" | "string" | "number" | "punct";
  readonly text: string;
  readonly start: number;
  readonly end: number;
};

type Options = {
  readonly hashComments?: boolean;
  /**
   * Whether `'''…'''` / `"""…"""` are triple-quoted strings (BigQuery). Default true; false for dialects where
   * `''''` is a string holding one quote (Snowflake, Postgres), which a triple-quote read swallowed to the next `'''`.
   */
  readonly tripleQuotes?: boolean;
};

function skipTo(text: string, from: number, terminator: string): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? text.length : at + terminator.length;
}

function endOfQuoted(text: string, start: number, quote: string, triple: boolean): number {
  if (triple && text.startsWith(quote.repeat(3), start) && quote !== "`")
    return skipTo(text, start + 3, quote.repeat(3));
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\" && quote !== "`") i += 2;
    else if (ch === quote && text[i + 1] === quote) i += 2;
    else if (ch === quote) return i + 1;
    else i += 1;
  }
  return text.length;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Splits SQL into words, quoted identifiers, strings, numbers and punctuation, skipping comments.
 * Never throws: unterminated strings or comments run to the end of the text.
 */
export function tokenizeSql(text: string, options: Options = {}): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (/\s/.test(ch)) i += 1;
    else if ((ch === "-" && next === "-") || (ch === "#" && options.hashComments)) i = skipTo(text, i, "\n");
    else if (ch === "/" && next === "*") i = skipTo(text, i + 2, "*/");
    else if (ch === "'" || ch === '"' || ch === "`") {
      const triple = options.tripleQuotes !== false;
      const end = endOfQuoted(text, i, ch, triple);
      const kind = ch === "'" || (triple && text.startsWith(ch.repeat(3), i)) ? "string" : "quoted";
      tokens.push({ kind, text: text.slice(i, end), start: i, end });
      i = end;
    } else if (ch === "$" && next === "$") {
      const end = skipTo(text, i + 2, "$$");
      tokens.push({ kind: "string", text: text.slice(i, end), start: i, end });
      i = end;
    } else if (WORD_START.test(ch)) {
      let end = i + 1;
      while (end < text.length && WORD_PART.test(text[end] as string)) end += 1;
      tokens.push({ kind: "word", text: text.slice(i, end), start: i, end });
      i = end;
    } else if (/[0-9]/.test(ch)) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE_]/.test(text[end] as string)) end += 1;
      tokens.push({ kind: "number", text: text.slice(i, end), start: i, end });
      i = end;
    } else {
      tokens.push({ kind: "punct", text: ch, start: i, end: i + 1 });
      i += 1;
    }
  }
  return tokens;
}

/** The unquoted, lower-cased name of a word or quoted-identifier token. */
export function identifierName(token: SqlToken): string {
  const raw = token.kind === "quoted" ? token.text.slice(1, -1) : token.text;
  return raw.toLowerCase();
}
