/** Tokens of a Jinja expression, each with the source line it starts on. */

export type Token =
  | { readonly type: "name"; readonly value: string; readonly line: number }
  | { readonly type: "string"; readonly value: string; readonly line: number }
  | { readonly type: "number"; readonly value: number; readonly line: number }
  | { readonly type: "op"; readonly value: string; readonly line: number };

export class ExpressionSyntaxError extends Error {
  override readonly name = "ExpressionSyntaxError";
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** One token at a time (sticky): whitespace, a name, a number, a quote that opens a string, or an operator. */
const TOKEN =
  /(\s+)|([A-Za-z_][A-Za-z0-9_]*)|([0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?)|(['"])|(\*\*|\/\/|==|!=|<=|>=|[-+*/%~|.,:()[\]{}=<>])/y;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };

/** Tokenizes `source`, whose first character is on `line`. Throws ExpressionSyntaxError on a bad character. */
export function tokenizeExpression(source: string, line: number): Token[] {
  const tokens: Token[] = [];
  const pattern = TOKEN;
  let current = line;
  let i = 0;
  while (i < source.length) {
    pattern.lastIndex = i;
    const match = pattern.exec(source);
    if (!match) throw new ExpressionSyntaxError(`unexpected character "${source[i]}"`, current);
    const [text, space, name, number, quote, op] = match;
    if (space !== undefined) {
      for (let j = space.indexOf("\n"); j >= 0; j = space.indexOf("\n", j + 1)) current++;
    } else if (name !== undefined) {
      tokens.push({ type: "name", value: name, line: current });
    } else if (number !== undefined) {
      tokens.push({ type: "number", value: Number(number.replace(/_/g, "")), line: current });
    } else if (quote !== undefined) {
      const string = readString(source, i, current);
      tokens.push({ type: "string", value: string.value, line: current });
      current += string.newlines;
      i = string.end;
      continue;
    } else if (op !== undefined) {
      tokens.push({ type: "op", value: op, line: current });
    }
    i += text.length;
  }
  return tokens;
}

function readString(
  source: string,
  start: number,
  line: number,
): { value: string; end: number; newlines: number } {
  const quote = source[start];
  let value = "";
  let newlines = 0;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i] ?? "";
    if (c === quote) return { value, end: i + 1, newlines };
    if (c === "\n") newlines++;
    if (c === "\\" && i + 1 < source.length) {
      const next = source[i + 1] ?? "";
      value += ESCAPES[next] ?? `\\${next}`;
      i++;
    } else {
      value += c;
    }
  }
  throw new ExpressionSyntaxError("unterminated string literal", line);
}
