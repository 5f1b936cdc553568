/** A recursive-descent parser for Jinja expressions, with Jinja's operator precedence. */
import type { Value } from "./jinja-values.js";
import { ExpressionSyntaxError, type Token, tokenizeExpression } from "./tokenize-expression.js";

export type CallParts = { readonly args: Expr[]; readonly kwargs: Array<readonly [string, Expr]> };

export type Expr =
  | { readonly t: "lit"; readonly value: Value; readonly line: number }
  | { readonly t: "name"; readonly name: string; readonly line: number }
  | { readonly t: "list"; readonly items: Expr[]; readonly line: number; readonly tuple?: true }
  | { readonly t: "dict"; readonly entries: Array<readonly [Expr, Expr]>; readonly line: number }
  | { readonly t: "attr"; readonly obj: Expr; readonly name: string; readonly line: number }
  | { readonly t: "index"; readonly obj: Expr; readonly index: Expr; readonly line: number }
  | {
      readonly t: "slice";
      readonly obj: Expr;
      readonly start: Expr | null;
      readonly stop: Expr | null;
      readonly line: number;
    }
  | ({ readonly t: "call"; readonly fn: Expr; readonly line: number } & CallParts)
  | ({ readonly t: "filter"; readonly value: Expr; readonly name: string; readonly line: number } & CallParts)
  | ({
      readonly t: "test";
      readonly value: Expr;
      readonly name: string;
      readonly negate: boolean;
      readonly line: number;
    } & CallParts)
  | {
      readonly t: "bin";
      readonly op: string;
      readonly left: Expr;
      readonly right: Expr;
      readonly line: number;
    }
  | { readonly t: "unary"; readonly op: "not" | "-" | "+"; readonly value: Expr; readonly line: number }
  | {
      readonly t: "cond";
      readonly cond: Expr;
      readonly whenTrue: Expr;
      readonly else: Expr | null;
      readonly line: number;
    };

const MAX_DEPTH = 200;
const COMPARISONS = new Set(["==", "!=", "<", ">", "<=", ">="]);

/** Parses a whole expression (a bare tuple `a, b` is a list). Throws ExpressionSyntaxError. */
export function parseExpression(source: string, line: number): Expr {
  const parser = new ExpressionParser(tokenizeExpression(source, line), line);
  const expr = parser.parseTuple();
  parser.expectEnd();
  return expr;
}

/** A cursor over tokens; statement parsers use it for `for x in …`, `set a = …` and macro signatures. */
export class ExpressionParser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly line: number,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  isOp(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === "op" && token.value === value;
  }
  isName(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === "name" && token.value === value;
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  next(): Token {
    const token = this.tokens[this.pos];
    if (!token) throw new ExpressionSyntaxError("unexpected end of expression", this.lastLine());
    this.pos++;
    return token;
  }
  expectOp(value: string): void {
    const token = this.next();
    if (token.type !== "op" || token.value !== value) {
      throw new ExpressionSyntaxError(`expected "${value}" but found "${String(token.value)}"`, token.line);
    }
  }
  expectName(): string {
    const token = this.next();
    if (token.type !== "name")
      throw new ExpressionSyntaxError(`expected a name, found "${token.value}"`, token.line);
    return token.value;
  }
  expectEnd(): void {
    const token = this.peek();
    if (token) throw new ExpressionSyntaxError(`unexpected "${String(token.value)}"`, token.line);
  }
  lastLine(): number {
    return this.tokens[this.tokens.length - 1]?.line ?? this.line;
  }

  /** `a, b, c` → a list; a single expression stays itself. */
  parseTuple(): Expr {
    const line = this.peek()?.line ?? this.line;
    const first = this.parseExpr();
    if (!this.isOp(",")) return first;
    const items = [first];
    while (this.isOp(",")) {
      this.next();
      if (this.atEnd() || this.isOp(")") || this.isOp("=")) break;
      items.push(this.parseExpr());
    }
    return { t: "list", items, line, tuple: true };
  }

  /** One expression including `x if c else y`. */
  parseExpr(): Expr {
    if (++this.depth > MAX_DEPTH) throw new ExpressionSyntaxError("expression nested too deeply", this.line);
    try {
      const value = this.parseOr();
      if (!this.isName("if")) return value;
      this.next();
      const cond = this.parseOr();
      let otherwise: Expr | null = null;
      if (this.isName("else")) {
        this.next();
        otherwise = this.parseExpr();
      }
      return { t: "cond", cond, whenTrue: value, else: otherwise, line: value.line };
    } finally {
      this.depth--;
    }
  }

  /** An expression without a trailing `if … else …`, as the iterable of `for x in … if …` needs. */
  parseWithoutCondition(): Expr {
    return this.parseOr();
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isName("or")) {
      this.next();
      left = { t: "bin", op: "or", left, right: this.parseAnd(), line: left.line };
    }
    return left;
  }
  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isName("and")) {
      this.next();
      left = { t: "bin", op: "and", left, right: this.parseNot(), line: left.line };
    }
    return left;
  }
  private parseNot(): Expr {
    if (this.isName("not")) {
      const line = this.next().line;
      return { t: "unary", op: "not", value: this.parseNot(), line };
    }
    return this.parseCompare();
  }
  private parseCompare(): Expr {
    let left = this.parseConcat();
    for (;;) {
      const token = this.peek();
      if (token?.type === "op" && COMPARISONS.has(token.value)) {
        this.next();
        left = { t: "bin", op: token.value, left, right: this.parseConcat(), line: left.line };
      } else if (this.isName("in")) {
        this.next();
        left = { t: "bin", op: "in", left, right: this.parseConcat(), line: left.line };
      } else if (this.isName("not") && this.isName("in", 1)) {
        this.pos += 2;
        left = { t: "bin", op: "not in", left, right: this.parseConcat(), line: left.line };
      } else {
        return left;
      }
    }
  }
  private parseConcat(): Expr {
    let left = this.parseBinary(0);
    while (this.isOp("~")) {
      this.next();
      left = { t: "bin", op: "~", left, right: this.parseBinary(0), line: left.line };
    }
    return left;
  }
  private static readonly LEVELS = [["+", "-"], ["*", "/", "//", "%"], ["**"]];
  private parseBinary(level: number): Expr {
    const ops = ExpressionParser.LEVELS[level];
    if (!ops) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.peek();
      if (token?.type !== "op" || !ops.includes(token.value)) return left;
      this.next();
      left = { t: "bin", op: token.value, left, right: this.parseBinary(level + 1), line: left.line };
    }
  }
  private parseUnary(): Expr {
    if (this.isOp("-") || this.isOp("+")) {
      const token = this.next();
      const op = token.value === "-" ? "-" : "+";
      return { t: "unary", op, value: this.parseUnary(), line: token.line };
    }
    return this.parsePostfixAndFilters(this.parsePrimary());
  }

  private parsePostfixAndFilters(start: Expr): Expr {
    let expr = this.parsePostfix(start);
    for (;;) {
      if (this.isOp("|")) {
        this.next();
        const name = this.parseDottedName();
        const parts = this.isOp("(") ? this.parseCallArgs() : { args: [], kwargs: [] };
        expr = this.parsePostfix({ t: "filter", value: expr, name, line: expr.line, ...parts });
      } else if (this.isName("is")) {
        this.next();
        const negate = this.isName("not");
        if (negate) this.next();
        const name = this.parseDottedName();
        const parts = this.isOp("(") ? this.parseCallArgs() : this.parseTestArgument();
        expr = { t: "test", value: expr, name, negate, line: expr.line, ...parts };
      } else {
        return expr;
      }
    }
  }

  /** `x is divisibleby 3` takes one bare argument; `x is none` takes none. */
  private parseTestArgument(): CallParts {
    const token = this.peek();
    const startsValue = token && (token.type === "string" || token.type === "number");
    return startsValue ? { args: [this.parsePrimary()], kwargs: [] } : { args: [], kwargs: [] };
  }

  private parseDottedName(): string {
    let name = this.expectName();
    while (this.isOp(".")) {
      this.next();
      name += `.${this.expectName()}`;
    }
    return name;
  }

  private parsePostfix(start: Expr): Expr {
    let expr = start;
    for (;;) {
      if (this.isOp(".")) {
        this.next();
        const token = this.next();
        if (token.type !== "name" && token.type !== "number") {
          throw new ExpressionSyntaxError(`expected an attribute name after "."`, token.line);
        }
        expr = { t: "attr", obj: expr, name: String(token.value), line: expr.line };
      } else if (this.isOp("(")) {
        const line = this.peek()?.line ?? expr.line;
        expr = { t: "call", fn: expr, line, ...this.parseCallArgs() };
      } else if (this.isOp("[")) {
        expr = this.parseSubscript(expr);
      } else {
        return expr;
      }
    }
  }

  private parseSubscript(obj: Expr): Expr {
    this.expectOp("[");
    const start = this.isOp(":") ? null : this.parseExpr();
    if (this.isOp("]")) {
      this.next();
      return start ? { t: "index", obj, index: start, line: obj.line } : obj;
    }
    this.expectOp(":");
    const stop = this.isOp("]") ? null : this.parseExpr();
    this.expectOp("]");
    return { t: "slice", obj, start, stop, line: obj.line };
  }

  /** `(a, b, key=value)`; the cursor is on "(". */
  parseCallArgs(): CallParts {
    this.expectOp("(");
    const args: Expr[] = [];
    const kwargs: Array<readonly [string, Expr]> = [];
    while (!this.isOp(")")) {
      if (this.isOp("*") || this.isOp("**")) this.next();
      const token = this.peek();
      if (token?.type === "name" && this.isOp("=", 1)) {
        this.pos += 2;
        kwargs.push([token.value, this.parseExpr()]);
      } else {
        args.push(this.parseExpr());
      }
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp(")");
    return { args, kwargs };
  }

  private parsePrimary(): Expr {
    const token = this.next();
    const line = token.line;
    if (token.type === "string") {
      let value = token.value;
      // Adjacent string literals concatenate, as in Python.
      while (this.peek()?.type === "string") value += String(this.next().value);
      return { t: "lit", value, line };
    }
    if (token.type === "number") return { t: "lit", value: token.value, line };
    if (token.type === "name") return nameLiteral(token.value, line);
    if (token.value === "(") {
      if (this.isOp(")")) {
        this.next();
        return { t: "list", items: [], line, tuple: true };
      }
      const inner = this.parseTuple();
      this.expectOp(")");
      return inner;
    }
    if (token.value === "[") return { t: "list", items: this.parseSequence("]"), line };
    if (token.value === "{") return this.parseDict(line);
    throw new ExpressionSyntaxError(`unexpected "${token.value}"`, line);
  }

  private parseSequence(close: string): Expr[] {
    const items: Expr[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseExpr());
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp(close);
    return items;
  }

  private parseDict(line: number): Expr {
    const entries: Array<readonly [Expr, Expr]> = [];
    while (!this.isOp("}")) {
      const key = this.parseExpr();
      this.expectOp(":");
      entries.push([key, this.parseExpr()]);
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp("}");
    return { t: "dict", entries, line };
  }
}

function nameLiteral(name: string, line: number): Expr {
  switch (name) {
    case "true":
    case "True":
      return { t: "lit", value: true, line };
    case "false":
    case "False":
      return { t: "lit", value: false, line };
    case "none":
    case "None":
      return { t: "lit", value: null, line };
    default:
      return { t: "name", name, line };
  }
}
