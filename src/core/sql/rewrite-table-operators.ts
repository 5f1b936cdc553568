/**
 * PIVOT and UNPIVOT (Snowflake, BigQuery, DuckDB) lifted out of the text before parsing. No grammar of
 * node-sql-parser reads every form (aliases in IN lists, several aggregates, multi-column UNPIVOT, chains),
 * so the operator is blanked, the relation it applies to is kept for the parser, and what lineage needs
 * (which columns feed which output) is read here from the tokens.
 */
import { blank, is, matchingParen } from "./sql-text-edits.js";
import { identifierName, type SqlToken } from "./tokenize-sql.js";

export type PivotSpec = {
  readonly kind: "pivot";
  /** Each aggregate: its alias (if any) and the columns it reads. */
  readonly aggregates: ReadonlyArray<{ readonly alias?: string; readonly columns: readonly string[] }>;
  /** Columns of the `FOR` expression. */
  readonly pivotColumns: readonly string[];
  /** Output name of each IN value (its alias, else the value), or "dynamic" for `IN (ANY …)` / a subquery. */
  readonly values: readonly string[] | "dynamic";
};

export type UnpivotSpec = {
  readonly kind: "unpivot";
  /** `score` in `UNPIVOT (score FOR …)`, or `(a, b)` in BigQuery's multi-column form. */
  readonly valueColumns: readonly string[];
  readonly nameColumn: string;
  /** Each IN item's columns, as many as `valueColumns`. */
  readonly items: ReadonlyArray<readonly string[]>;
};

/** A PIVOT/UNPIVOT whose body could not be read: its output columns are unknown. */
export type UnreadOperator = { readonly kind: "unread"; readonly keyword: string };

/** One PIVOT/UNPIVOT applied to the FROM relation starting at `relationStart`. */
export type TableOperator = {
  /** Offset of the relation's first token (a table name or the `(` of a subquery). */
  readonly relationStart: number;
  /** Offset of the PIVOT/UNPIVOT keyword, and the end of its closing parenthesis. */
  readonly offset: number;
  readonly end: number;
  /** The alias after the operator, else the relation's own alias, lower case. */
  readonly alias?: string;
  /** `AS p (a, b, c)`: output columns renamed in order. */
  readonly renames: readonly string[];
  readonly spec: PivotSpec | UnpivotSpec | UnreadOperator;
};

const NOT_COLUMNS = new Set([
  "case",
  "when",
  "then",
  "else",
  "end",
  "and",
  "or",
  "not",
  "null",
  "is",
  "in",
  "like",
  "between",
  "distinct",
  "true",
  "false",
  "as",
  "over",
  "partition",
  "by",
  "order",
  "asc",
  "desc",
  "interval",
]);

const isName = (t: SqlToken | undefined): t is SqlToken & { kind: "word" | "quoted" } =>
  t?.kind === "word" || t?.kind === "quoted";

/** Column names an expression's tokens read: names not called, not keywords, the last part of `t.c`. */
function columnsIn(tokens: readonly SqlToken[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i] as SqlToken;
    if (!isName(t)) continue;
    if (tokens[i + 1]?.text === "(" || tokens[i + 1]?.text === ".") continue;
    if (is(tokens[i - 1], "as")) continue; // CAST(x AS INT64)
    if (t.kind === "word" && NOT_COLUMNS.has(t.text.toLowerCase())) continue;
    const name = identifierName(t);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Top-level comma-separated items of the tokens between `open` and `close` (exclusive). */
function splitItems(tokens: readonly SqlToken[], open: number, close: number): SqlToken[][] {
  const items: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let depth = 0;
  for (let i = open + 1; i < close; i += 1) {
    const t = tokens[i] as SqlToken;
    if (t.text === "(") depth += 1;
    else if (t.text === ")") depth -= 1;
    if (depth === 0 && t.text === ",") {
      items.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.length > 0) items.push(current);
  return items;
}

/** `expr [AS] alias` → the expression's tokens and the alias (a name or a string). */
function splitAlias(item: readonly SqlToken[]): { expr: readonly SqlToken[]; alias?: string } {
  const n = item.length;
  const last = item[n - 1];
  const before = item[n - 2];
  if (n >= 3 && is(before, "as") && last && (isName(last) || last.kind === "string")) {
    return { expr: item.slice(0, n - 2), alias: valueName(last) };
  }
  // `'JAN' jan` (no AS): two adjacent atoms, the second a name.
  if (n === 2 && isName(last) && before && before.text !== ".") {
    return { expr: item.slice(0, 1), alias: identifierName(last) };
  }
  return { expr: item };
}

/** The name a PIVOT value or alias gives its column: a string or identifier unquoted, lower case. */
function valueName(token: SqlToken): string {
  if (token.kind === "string") return token.text.replace(/^[a-z]*'|'$/gi, "").toLowerCase();
  if (isName(token)) return identifierName(token);
  return token.text.toLowerCase();
}

function indexOfWord(tokens: readonly SqlToken[], from: number, to: number, word: string): number {
  let depth = 0;
  for (let i = from; i < to; i += 1) {
    const t = tokens[i] as SqlToken;
    if (t.text === "(") depth += 1;
    else if (t.text === ")") depth -= 1;
    else if (depth === 0 && is(t, word)) return i;
  }
  return -1;
}

/** The `IN ( … )` list after `FOR x` inside the operator body: its bounds, or undefined. */
function inList(
  tokens: readonly SqlToken[],
  open: number,
  close: number,
): [number, number, number] | undefined {
  const forAt = indexOfWord(tokens, open + 1, close, "for");
  if (forAt < 0) return undefined;
  const inAt = indexOfWord(tokens, forAt + 1, close, "in");
  if (inAt < 0 || tokens[inAt + 1]?.text !== "(") return undefined;
  return [forAt, inAt + 1, matchingParen(tokens, inAt + 1)];
}

function readPivot(tokens: readonly SqlToken[], open: number, close: number): PivotSpec | undefined {
  const found = inList(tokens, open, close);
  if (!found) return undefined;
  const [forAt, listOpen, listClose] = found;
  const aggregates = splitItems(tokens, open, forAt).map((item) => {
    const { expr, alias } = splitAlias(item);
    return { ...(alias ? { alias } : {}), columns: columnsIn(expr) };
  });
  const pivotColumns = columnsIn(tokens.slice(forAt + 1, listOpen - 1));
  const first = tokens[listOpen + 1];
  if (aggregates.length === 0 || pivotColumns.length === 0) return undefined;
  if (is(first, "any") || is(first, "select") || is(first, "with")) {
    return { kind: "pivot", aggregates, pivotColumns, values: "dynamic" };
  }
  const values: string[] = [];
  for (const item of splitItems(tokens, listOpen, listClose)) {
    const { expr, alias } = splitAlias(item);
    const only =
      expr.length === 1 ? expr[0] : expr.length === 2 && expr[0]?.text === "-" ? expr[1] : undefined;
    if (!alias && !only) return undefined;
    values.push(alias ?? valueName(only as SqlToken));
  }
  return values.length > 0 ? { kind: "pivot", aggregates, pivotColumns, values } : undefined;
}

/** `a` or `(a, b)`: the names, or undefined when something else stands there. */
function nameGroup(tokens: readonly SqlToken[]): string[] | undefined {
  const inner =
    tokens[0]?.text === "(" && tokens[tokens.length - 1]?.text === ")" ? tokens.slice(1, -1) : tokens;
  const names: string[] = [];
  for (const [i, t] of inner.entries()) {
    if (i % 2 === 1) {
      if (t.text !== ",") return undefined;
    } else if (isName(t)) names.push(identifierName(t));
    else return undefined;
  }
  return names.length > 0 ? names : undefined;
}

function readUnpivot(tokens: readonly SqlToken[], open: number, close: number): UnpivotSpec | undefined {
  const found = inList(tokens, open, close);
  if (!found) return undefined;
  const [forAt, listOpen, listClose] = found;
  const valueColumns = nameGroup(tokens.slice(open + 1, forAt));
  const nameColumn = nameGroup(tokens.slice(forAt + 1, listOpen - 1));
  if (!valueColumns || nameColumn?.length !== 1) return undefined;
  const items: string[][] = [];
  for (const item of splitItems(tokens, listOpen, listClose)) {
    const columns = nameGroup(splitAlias(item).expr);
    if (!columns || columns.length !== valueColumns.length) return undefined;
    items.push(columns);
  }
  if (items.length === 0) return undefined;
  return { kind: "unpivot", valueColumns, nameColumn: nameColumn[0] as string, items };
}

/** Index of the first token of the relation that ends at token `end` (a name, `a.b.c`, or `( … )`). */
function relationStartIndex(tokens: readonly SqlToken[], end: number): number {
  const t = tokens[end];
  if (t?.text === ")") {
    let depth = 0;
    for (let j = end; j >= 0; j -= 1) {
      const u = tokens[j] as SqlToken;
      if (u.text === ")") depth += 1;
      else if (u.text === "(" && --depth === 0) return j;
    }
    return -1;
  }
  if (!isName(t)) return -1;
  let j = end;
  while (tokens[j - 1]?.text === "." && isName(tokens[j - 2])) j -= 2;
  return j;
}

type Found = { start: number; innerAlias?: SqlToken; aliasFrom?: number; chained?: Located };

/**
 * Where the relation of the operator at `k` starts (token index), and its own alias. A chain's later
 * operator points at the earlier one's relation.
 */
function findRelation(
  tokens: readonly SqlToken[],
  k: number,
  previous: readonly Located[],
): Found | undefined {
  let end = k - 1;
  const chained = previous.find((p) => p.closeIndex === end || p.aliasEnd === end);
  if (chained) return { start: chained.startIndex, chained };
  let innerAlias: SqlToken | undefined;
  let aliasFrom: number | undefined;
  const last = tokens[end];
  const beforeLast = tokens[end - 1];
  const named = isName(beforeLast) && !is(beforeLast, "from") && !is(beforeLast, "join");
  if (isName(last) && (is(beforeLast, "as") || named || beforeLast?.text === ")")) {
    innerAlias = last;
    aliasFrom = is(beforeLast, "as") ? end - 1 : end;
    end = is(beforeLast, "as") ? end - 2 : end - 1;
  }
  const start = relationStartIndex(tokens, end);
  if (start < 0) return undefined;
  const before = tokens[start - 1];
  if (!(is(before, "from") || is(before, "join") || before?.text === ",")) return undefined;
  return { start, ...(innerAlias ? { innerAlias } : {}), ...(aliasFrom !== undefined ? { aliasFrom } : {}) };
}

type Located = { startIndex: number; closeIndex: number; aliasEnd: number };

function blankTokens(tokens: readonly SqlToken[], chars: string[], from: number, to: number): void {
  blank(chars, (tokens[from] as SqlToken).start, (tokens[to] as SqlToken).end);
}

/** `PIVOT` / `UNPIVOT [INCLUDE|EXCLUDE NULLS]` at token `k`: the index of its `(`, or -1. */
function operatorOpen(tokens: readonly SqlToken[], k: number): number {
  const t = tokens[k];
  if (!(is(t, "pivot") || is(t, "unpivot")) || tokens[k - 1]?.text === ".") return -1;
  let open = k + 1;
  if ((is(tokens[open], "include") || is(tokens[open], "exclude")) && is(tokens[open + 1], "nulls"))
    open += 2;
  return tokens[open]?.text === "(" ? open : -1;
}

const CLAUSE_WORDS = new Set([
  "where",
  "group",
  "having",
  "qualify",
  "order",
  "limit",
  "window",
  "union",
  "except",
  "intersect",
  "join",
  "inner",
  "left",
  "right",
  "full",
  "cross",
  "natural",
  "on",
  "using",
  "pivot",
  "unpivot",
  "lateral",
  "tablesample",
]);

/**
 * Finds every PIVOT/UNPIVOT in `tokens`, blanks it in `chars` (the operator, and the relation's own alias
 * when an alias follows the operator) and returns what each one does.
 */
export function liftTableOperators(tokens: readonly SqlToken[], chars: string[]): TableOperator[] {
  const operators: TableOperator[] = [];
  const located: Located[] = [];
  for (let k = 0; k < tokens.length; k += 1) {
    const open = operatorOpen(tokens, k);
    if (open < 0) continue;
    const found = findRelation(tokens, k, located);
    if (!found) continue;
    const close = matchingParen(tokens, open);
    const keyword = (tokens[k] as SqlToken).text.toLowerCase();
    const spec =
      (keyword === "pivot" ? readPivot(tokens, open, close) : readUnpivot(tokens, open, close)) ??
      ({ kind: "unread", keyword } as const);
    // `[AS] alias [(a, b)]` after the operator.
    let next = close + 1;
    if (is(tokens[next], "as")) next += 1;
    const aliasToken = tokens[next];
    const hasAlias =
      isName(aliasToken) && !(aliasToken.kind === "word" && CLAUSE_WORDS.has(aliasToken.text.toLowerCase()));
    let aliasEnd = close;
    let renames: string[] = [];
    if (hasAlias) {
      aliasEnd = next;
      if (tokens[next + 1]?.text === "(") {
        const listClose = matchingParen(tokens, next + 1);
        renames = nameGroup(tokens.slice(next + 1, listClose + 1)) ?? [];
        blank(chars, (tokens[next + 1] as SqlToken).start, (tokens[listClose] as SqlToken).end);
        aliasEnd = listClose;
      }
      // One alias for the parser: the outer one. The inner one only names the relation inside the operator.
      if (found.aliasFrom !== undefined && found.innerAlias)
        blank(chars, (tokens[found.aliasFrom] as SqlToken).start, found.innerAlias.end);
      const { chained } = found;
      if (chained && chained.aliasEnd > chained.closeIndex)
        blankTokens(tokens, chars, chained.closeIndex + 1, chained.aliasEnd);
    }
    blank(chars, (tokens[k] as SqlToken).start, (tokens[close] as SqlToken).end);
    const alias = hasAlias
      ? identifierName(aliasToken)
      : found.innerAlias
        ? identifierName(found.innerAlias)
        : undefined;
    operators.push({
      relationStart: (tokens[found.start] as SqlToken).start,
      offset: (tokens[k] as SqlToken).start,
      end: (tokens[close] as SqlToken).end,
      ...(alias ? { alias } : {}),
      renames,
      spec,
    });
    located.push({ startIndex: found.start, closeIndex: close, aliasEnd });
    k = close;
  }
  return operators;
}
