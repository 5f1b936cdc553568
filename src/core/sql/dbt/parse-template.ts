/** Turns lexed segments into a tree of Jinja nodes. Never throws: broken tags become problems and are dropped. */
import type { LexProblem, Segment } from "./lex-template.js";
import { type Expr, ExpressionParser, parseExpression } from "./parse-expression.js";
import { ExpressionSyntaxError, tokenizeExpression } from "./tokenize-expression.js";

export type MacroParam = { readonly name: string; readonly default: Expr | null };
/** A `set`/`for` target: a name, or `ns.attr` for Jinja namespaces. */
export type Target = { readonly name: string; readonly attr?: string };

export type TemplateNode =
  | { readonly type: "text"; readonly text: string; readonly line: number }
  | { readonly type: "output"; readonly expr: Expr; readonly line: number }
  | {
      readonly type: "if";
      readonly branches: Array<{ readonly cond: Expr | null; readonly body: TemplateNode[] }>;
      readonly line: number;
    }
  | {
      readonly type: "for";
      readonly targets: Target[];
      readonly iter: Expr;
      readonly filter: Expr | null;
      readonly body: TemplateNode[];
      readonly elseBody: TemplateNode[];
      readonly line: number;
    }
  | { readonly type: "set"; readonly targets: Target[]; readonly expr: Expr; readonly line: number }
  | {
      readonly type: "setBlock";
      readonly target: Target;
      readonly body: TemplateNode[];
      readonly line: number;
    }
  | {
      readonly type: "macro";
      readonly name: string;
      readonly params: MacroParam[];
      readonly body: TemplateNode[];
      readonly line: number;
    }
  | {
      readonly type: "call";
      readonly call: Expr;
      readonly params: MacroParam[];
      readonly body: TemplateNode[];
      readonly line: number;
    }
  | { readonly type: "do"; readonly expr: Expr; readonly line: number }
  /** A block tag Backflow does not know (`{% snapshot %}`, `{% filter %}`…): its body is rendered as is. */
  | { readonly type: "block"; readonly name: string; readonly body: TemplateNode[]; readonly line: number };

export type ParseResult = {
  readonly nodes: TemplateNode[];
  readonly problems: LexProblem[];
  readonly warnings: LexProblem[];
};

type Tag = { readonly name: string; readonly rest: string; readonly line: number };
type BodyEnd = { readonly tag: Tag | null; readonly nodes: TemplateNode[] };

const BLOCK_ENDS: Record<string, string[]> = {
  if: ["elif", "else", "endif"],
  for: ["else", "endfor"],
  set: ["endset"],
  macro: ["endmacro"],
  call: ["endcall"],
};

/** Parses segments into nodes. Expression errors drop their tag; unclosed blocks are closed at the end. */
export function parseTemplate(segments: readonly Segment[]): ParseResult {
  return new TemplateParser(segments).parseAll();
}

class TemplateParser {
  private pos = 0;
  private readonly open: string[][] = [];
  private readonly problems: LexProblem[] = [];
  private readonly warnings: LexProblem[] = [];
  private readonly endNames: Set<string>;

  constructor(private readonly segments: readonly Segment[]) {
    // Tags that close a generic block are collected up front so `{% snapshot %}` knows it has an end.
    this.endNames = new Set(
      segments
        .flatMap((s) => (s.kind === "tag" ? [tagOf(s.body, s.line).name] : []))
        .filter((n) => n.startsWith("end")),
    );
  }

  parseAll(): ParseResult {
    const { nodes, tag } = this.parseBody([]);
    if (tag)
      this.problems.push({ line: tag.line, message: `unexpected "{% ${tag.name} %}" at line ${tag.line}` });
    return { nodes, problems: this.problems, warnings: this.warnings };
  }

  /** Parses nodes until one of `stops` (or an enclosing block's stop tag, which closes this block implicitly). */
  private parseBody(stops: string[]): BodyEnd {
    const nodes: TemplateNode[] = [];
    this.open.push(stops);
    try {
      while (this.pos < this.segments.length) {
        const segment = this.segments[this.pos++];
        if (!segment) break;
        if (segment.kind === "text") nodes.push({ type: "text", text: segment.text, line: segment.line });
        else if (segment.kind === "output") this.pushOutput(nodes, segment.body, segment.line);
        else {
          const tag = tagOf(segment.body, segment.line);
          if (stops.includes(tag.name)) return { tag, nodes };
          if (this.open.some((s) => s.includes(tag.name))) {
            this.pos--;
            return { tag: null, nodes };
          }
          this.parseTag(tag, nodes);
        }
      }
      return { tag: null, nodes };
    } finally {
      this.open.pop();
    }
  }

  private pushOutput(nodes: TemplateNode[], body: string, line: number): void {
    const expr = this.tryExpr(body, line);
    if (expr) nodes.push({ type: "output", expr, line });
  }

  private tryExpr(body: string, line: number): Expr | null {
    try {
      return parseExpression(body, line);
    } catch (error) {
      this.reportSyntax(error, line, body);
      return null;
    }
  }

  private reportSyntax(error: unknown, line: number, body: string): void {
    const where = error instanceof ExpressionSyntaxError ? error.line : line;
    const reason = error instanceof Error ? error.message : "invalid expression";
    const text = body.trim().slice(0, 80);
    this.problems.push({ line: where, message: `cannot read Jinja "${text}" at line ${where}: ${reason}` });
  }

  private parseTag(tag: Tag, nodes: TemplateNode[]): void {
    try {
      const node = this.parseStatement(tag);
      if (node) nodes.push(node);
    } catch (error) {
      this.reportSyntax(error, tag.line, `${tag.name} ${tag.rest}`);
      this.skipBlockOf(tag);
    }
  }

  /** After a block tag whose header is broken, consumes its body so its end tag is not reported again. */
  private skipBlockOf(tag: Tag): void {
    const stops = BLOCK_ENDS[tag.name];
    if (!stops || (tag.name === "set" && tag.rest.includes("="))) return;
    const last = stops[stops.length - 1];
    for (;;) {
      const end = this.parseBody(stops);
      if (!end.tag || end.tag.name === last) return;
    }
  }

  private parseStatement(tag: Tag): TemplateNode | null {
    switch (tag.name) {
      case "if":
        return this.parseIf(tag);
      case "for":
        return this.parseFor(tag);
      case "set":
        return this.parseSet(tag);
      case "macro":
      case "call":
        return this.parseMacroOrCall(tag);
      case "do":
        return { type: "do", expr: parseExpression(tag.rest, tag.line), line: tag.line };
      default:
        return this.parseOtherTag(tag);
    }
  }

  private parseOtherTag(tag: Tag): TemplateNode | null {
    if (tag.name.startsWith("end") || tag.name === "else" || tag.name === "elif") {
      this.problems.push({ line: tag.line, message: `unexpected "{% ${tag.name} %}" at line ${tag.line}` });
      return null;
    }
    const message = `unsupported Jinja tag "{% ${tag.name} %}" at line ${tag.line}`;
    if (!this.endNames.has(`end${tag.name}`)) {
      this.warnings.push({ line: tag.line, message: `${message} was ignored` });
      return null;
    }
    this.warnings.push({ line: tag.line, message: `${message}: its body was rendered as plain text` });
    const { nodes } = this.parseBlock(tag, [`end${tag.name}`]);
    return { type: "block", name: tag.name, body: nodes, line: tag.line };
  }

  /** Parses a block body, reporting a missing end tag. */
  private parseBlock(tag: Tag, stops: string[]): BodyEnd {
    const end = this.parseBody(stops);
    if (!end.tag) {
      const last = stops[stops.length - 1] ?? "end";
      this.problems.push({
        line: tag.line,
        message: `"{% ${tag.name} %}" at line ${tag.line} is never closed: add "{% ${last} %}"`,
      });
    }
    return end;
  }

  private parseIf(tag: Tag): TemplateNode {
    const branches: Array<{ cond: Expr | null; body: TemplateNode[] }> = [];
    let cond: Expr | null = this.tryExpr(tag.rest, tag.line) ?? { t: "lit", value: false, line: tag.line };
    for (;;) {
      const end = this.parseBlock(tag, BLOCK_ENDS.if ?? []);
      branches.push({ cond, body: end.nodes });
      if (!end.tag || end.tag.name === "endif") break;
      if (end.tag.name === "else") cond = { t: "lit", value: true, line: end.tag.line };
      else cond = this.tryExpr(end.tag.rest, end.tag.line) ?? { t: "lit", value: false, line: end.tag.line };
    }
    return { type: "if", branches, line: tag.line };
  }

  private parseFor(tag: Tag): TemplateNode {
    const parser = new ExpressionParser(tokenizeExpression(tag.rest, tag.line), tag.line);
    const targets = parseTargets(parser);
    if (!parser.isName("in")) throw new ExpressionSyntaxError('expected "in" in the for loop', tag.line);
    parser.next();
    const iter = parser.parseWithoutCondition();
    let filter: Expr | null = null;
    if (parser.isName("if")) {
      parser.next();
      filter = parser.parseExpr();
    }
    if (parser.isName("recursive")) parser.next();
    parser.expectEnd();
    const body = this.parseBlock(tag, BLOCK_ENDS.for ?? []);
    let elseBody: TemplateNode[] = [];
    if (body.tag?.name === "else") elseBody = this.parseBlock(tag, ["endfor"]).nodes;
    return { type: "for", targets, iter, filter, body: body.nodes, elseBody, line: tag.line };
  }

  private parseSet(tag: Tag): TemplateNode {
    const parser = new ExpressionParser(tokenizeExpression(tag.rest, tag.line), tag.line);
    const targets = parseTargets(parser);
    if (parser.atEnd() || parser.isOp("|")) {
      const target = targets[0];
      if (!target || targets.length > 1)
        throw new ExpressionSyntaxError("a block set takes one name", tag.line);
      return { type: "setBlock", target, body: this.parseBlock(tag, ["endset"]).nodes, line: tag.line };
    }
    parser.expectOp("=");
    const expr = parser.parseTuple();
    parser.expectEnd();
    return { type: "set", targets, expr, line: tag.line };
  }

  private parseMacroOrCall(tag: Tag): TemplateNode {
    const parser = new ExpressionParser(tokenizeExpression(tag.rest, tag.line), tag.line);
    let params: MacroParam[] = [];
    if (tag.name === "call" && parser.isOp("(")) params = parseParams(parser);
    if (tag.name === "call") {
      const call = parser.parseExpr();
      parser.expectEnd();
      const body = this.parseBlock(tag, ["endcall"]).nodes;
      return { type: "call", call, params, body, line: tag.line };
    }
    const name = parser.expectName();
    params = parser.isOp("(") ? parseParams(parser) : [];
    parser.expectEnd();
    const body = this.parseBlock(tag, ["endmacro"]).nodes;
    return { type: "macro", name, params, body, line: tag.line };
  }
}

function tagOf(body: string, line: number): Tag {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)?([\s\S]*)$/.exec(body);
  return { name: match?.[1] ?? "", rest: match?.[2] ?? "", line };
}

function parseTargets(parser: ExpressionParser): Target[] {
  const targets: Target[] = [];
  const wrapped = parser.isOp("(");
  if (wrapped) parser.next();
  do {
    if (parser.isOp(",")) parser.next();
    const name = parser.expectName();
    if (parser.isOp(".")) {
      parser.next();
      targets.push({ name, attr: parser.expectName() });
    } else {
      targets.push({ name });
    }
  } while (parser.isOp(","));
  if (wrapped) parser.expectOp(")");
  return targets;
}

function parseParams(parser: ExpressionParser): MacroParam[] {
  parser.expectOp("(");
  const params: MacroParam[] = [];
  while (!parser.isOp(")")) {
    const name = parser.expectName();
    let value: Expr | null = null;
    if (parser.isOp("=")) {
      parser.next();
      value = parser.parseExpr();
    }
    params.push({ name, default: value });
    if (!parser.isOp(",")) break;
    parser.next();
  }
  parser.expectOp(")");
  return params;
}
