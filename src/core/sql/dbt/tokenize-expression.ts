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

const OPERATORS = ["**", "//", "==", "!=", "<=", ">=", ..."+-*/%~|.,:()[]{}=<>"];
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"' };

/** Tokenizes `source`, whose first character is on `line`. Throws ExpressionSyntaxError on a bad character. */
export function tokenizeExpression(source: string, line: number): Token[] {
  const tokens: Token[] = [];
  let current = line;
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? "";
    if (c === "\n") {
      current++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256));
      const value = match?.[0] ?? c;
      tokens.push({ type: "name", value, line: current });
      i += value.length;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?/.exec(source.slice(i, i + 256));
      const text = match?.[0] ?? c;
      tokens.push({ type: "number", value: Number(text.replace(/_/g, "")), line: current });
      i += text.length;
    } else if (c === "'" || c === '"') {
      const { value, end, newlines } = readString(source, i, current);
      tokens.push({ type: "string", value, line: current });
      current += newlines;
      i = end;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (!op) throw new ExpressionSyntaxError(`unexpected character "${c}"`, current);
      tokens.push({ type: "op", value: op, line: current });
      i += op.length;
    }
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
