import {
  rewriteBigQuery,
  rewriteBigQueryPunctuation,
  rewriteSubscript,
  startsBigQueryRewrite,
} from "./rewrite-bigquery.js";
import { liftTableOperators, type TableOperator } from "./rewrite-table-operators.js";
import { blank, is, matchingParen } from "./sql-text-edits.js";
import { identifierName, type SqlToken, tokenizeSql } from "./tokenize-sql.js";

/**
 * `* EXCEPT (a, b)` / `* EXCLUDE` lifted out of the text before parsing. `* REPLACE (expr AS a)` becomes
 * `*, expr AS a` (so the replacement keeps its own sources) with `a` excepted from the `*`. `fn(x).*`
 * (the fields of a value) becomes `fn(x)` with a "fields" marker: its column names are unknown.
 */
export type StarModifier = {
  /** Offset of the `*` in the statement text. */
  readonly offset: number;
  /** "byName": `UNION [ALL|DISTINCT] BY NAME` (offset of `BY`); the set operation matches columns by name. */
  readonly kind: "except" | "replace" | "fields" | "byName";
  readonly columns: readonly string[];
};

export type RewrittenSql = {
  readonly text: string;
  readonly starModifiers: readonly StarModifier[];
  /** PIVOT / UNPIVOT lifted out of the text (see `liftTableOperators`). */
  readonly tableOperators: readonly TableOperator[];
};

/** Names in a `(a, b)` or `(expr AS a, …)` list: the last identifier of each top-level item. */
function listNames(tokens: readonly SqlToken[], open: number, close: number): string[] {
  const names: string[] = [];
  let depth = 0;
  let last: string | undefined;
  for (let i = open + 1; i < close; i += 1) {
    const t = tokens[i] as SqlToken;
    if (t.text === "(") depth += 1;
    else if (t.text === ")") depth -= 1;
    else if (depth === 0 && t.text === ",") {
      if (last) names.push(last);
      last = undefined;
    } else if (depth === 0 && (t.kind === "word" || t.kind === "quoted")) last = identifierName(t);
  }
  if (last) names.push(last);
  return names;
}

function rewriteStar(tokens: readonly SqlToken[], i: number, chars: string[], mods: StarModifier[]): number {
  const star = tokens[i] as SqlToken;
  const dot = tokens[i - 1];
  const value = tokens[i - 2];
  if (dot?.text === "." && dot.end === star.start && (value?.text === ")" || value?.text === "]")) {
    // At the value's last token, inside the item's span (the blanked `.*` and subscript are not).
    let last = i - 2;
    for (let depth = 0; tokens[last]?.text === "]" || depth > 0; last -= 1) {
      if (tokens[last]?.text === "]") depth += 1;
      else if (tokens[last]?.text === "[" && --depth === 0) {
        last -= 1;
        break;
      }
    }
    mods.push({ offset: (tokens[last] as SqlToken).start, kind: "fields", columns: [] });
    // A `)` there closes the call a BigQuery scalar subquery was wrapped in (see wrapScalarSubquery).
    blank(chars, dot.start, star.end, chars[dot.start] === ")" ? ")" : "");
  }
  const keyword = tokens[i + 1];
  if (!keyword || !(is(keyword, "except") || is(keyword, "exclude") || is(keyword, "replace"))) return i;
  const open = tokens[i + 2];
  if (open?.text === "(") {
    const close = matchingParen(tokens, i + 2);
    mods.push({ offset: star.start, kind: "except", columns: listNames(tokens, i + 2, close) });
    if (is(keyword, "replace")) {
      // The replacements become select items of their own, read like any other.
      blank(chars, keyword.start, open.end, ",");
      blank(chars, (tokens[close] as SqlToken).start, (tokens[close] as SqlToken).end);
      return i + 2;
    }
    blank(chars, keyword.start, (tokens[close] as SqlToken).end);
    return close;
  }
  if (open && (open.kind === "word" || open.kind === "quoted") && is(keyword, "exclude")) {
    mods.push({ offset: star.start, kind: "except", columns: [identifierName(open)] });
    blank(chars, keyword.start, open.end);
    return i + 2;
  }
  return i;
}

/** `ROWS BETWEEN @n PRECEDING` (a query parameter as a frame bound) → `1`: the bound is not lineage. */
function rewriteFrameBound(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  const name = tokens[i - 1];
  const sigil = tokens[i - 2];
  if (name?.kind !== "word" || !sigil || !(sigil.text === "@" || sigil.text === ":")) return;
  if (sigil.end !== name.start) return;
  blank(chars, sigil.start, name.end, "1");
}

/** `LISTAGG(x, ',') WITHIN GROUP (ORDER BY y)` → `LISTAGG(x, ',')`: the order is not lineage. */
function rewriteWithinGroup(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  if (!is(tokens[i + 1], "group") || tokens[i + 2]?.text !== "(" || tokens[i - 1]?.text !== ")") return i;
  const close = matchingParen(tokens, i + 2);
  blank(chars, (tokens[i] as SqlToken).start, (tokens[close] as SqlToken).end);
  return close;
}

/** Index of the `(` enclosing token `i`, or -1. */
function enclosingParen(tokens: readonly SqlToken[], i: number): number {
  let depth = 0;
  for (let j = i - 1; j >= 0; j -= 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === ")") depth += 1;
    else if (t.text === "(" && depth-- === 0) return j;
  }
  return -1;
}

/** `name => value` → `value`: a named argument reads what its value reads. */
function rewriteNamedArgument(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  const name = tokens[i - 1];
  const gt = tokens[i + 1];
  const before = tokens[i - 2];
  if (gt?.text !== ">" || gt.start !== (tokens[i] as SqlToken).end) return;
  // The name may be quoted (`` `end` => x ``, a keyword as a parameter name).
  if ((name?.kind !== "word" && name?.kind !== "quoted") || !(before?.text === "(" || before?.text === ","))
    return;
  // Snowflake's grammar reads FLATTEN's named arguments itself (and needs them).
  if (is(tokens[enclosingParen(tokens, i) - 1], "flatten")) return;
  blank(chars, name.start, gt.end);
}

/** `a IS [NOT] DISTINCT FROM b` → `a <> b` / `a = b`; lineage only needs the operands. */
function rewriteDistinctFrom(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  const negated = is(tokens[i + 1], "not");
  const d = negated ? i + 2 : i + 1;
  if (!is(tokens[d], "distinct") || !is(tokens[d + 1], "from")) return i;
  blank(chars, (tokens[i] as SqlToken).start, (tokens[d + 1] as SqlToken).end, negated ? "=" : "<>");
  return d + 1;
}

/** Snowflake's semi-structured type names, as type names of the same length the grammars read. */
const CAST_TYPES: Readonly<Record<string, string>> = { variant: "varchar", object: "json  ", array: "json " };

/**
 * `x::variant` / `::object` / `::array` → `x::varchar` / `::json`: a cast's type is not lineage, and no
 * grammar reads these names (a failed parse fell back to a grammar that read `x::variant` as one column
 * name). Returns the last token consumed, or undefined when `i` starts no such cast.
 */
function rewriteCastType(tokens: readonly SqlToken[], i: number, chars: string[]): number | undefined {
  const second = tokens[i + 1];
  const type = tokens[i + 2];
  if (second?.text !== ":" || second.start !== (tokens[i] as SqlToken).end || type?.kind !== "word") return;
  const replacement = CAST_TYPES[type.text.toLowerCase()];
  if (replacement === undefined) return i + 1;
  blank(chars, type.start, type.end, replacement);
  return i + 2;
}

/** Snowflake `col:path.to[0]` → `col`: the path selects inside the column, the column is the source. */
function rewriteVariantPath(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  const colon = tokens[i] as SqlToken;
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  if (!prev || !next || prev.end !== colon.start || next.start !== colon.end) return i;
  if (prev.kind !== "word" && prev.kind !== "quoted" && prev.text !== ")") return i;
  if (next.kind !== "word" && next.kind !== "quoted") return i;
  if (tokens[i - 2]?.text === ":" || next.text === ":") return i;
  let end = i + 1;
  while (true) {
    const t = tokens[end + 1];
    const adjacent = t !== undefined && t.start === (tokens[end] as SqlToken).end;
    if (!adjacent || !(t.text === "." || t.text === "[" || t.text === "]" || t.kind !== "punct")) break;
    end += 1;
  }
  blank(chars, colon.start, (tokens[end] as SqlToken).end);
  return end;
}

function rewriteString(token: SqlToken, chars: string[]): void {
  if (!/^("""|''')/.test(token.text)) return;
  const inner = token.text.slice(3, -3).replace(/['\\]/g, " ");
  blank(chars, token.start, token.end, `'${inner}'`);
}

/** Whether the tokens before `BY NAME` end a set operator: `UNION`, `UNION ALL`, `UNION DISTINCT`. */
function isSetOperator(last: SqlToken | undefined, before: SqlToken | undefined): boolean {
  if (is(last, "union")) return true;
  return (is(last, "all") || is(last, "distinct")) && is(before, "union");
}

/**
 * Offset-preserving rewrites of syntax node-sql-parser cannot read (see docs/parser-coverage):
 * `* EXCEPT/EXCLUDE/REPLACE (…)` and PIVOT/UNPIVOT (kept aside), IGNORE/RESPECT NULLS, IS [NOT] DISTINCT FROM,
 * Snowflake `col:path`, triple-quoted and r''/b'' strings, and with `bigQuery` the BigQuery forms of
 * `rewriteBigQuery` (CAST type names, GROUP BY ALL, QUALIFY). Lines and offsets of the result match the input.
 */
export function rewriteForParser(
  text: string,
  options: { hashComments?: boolean; bigQuery?: boolean } = {},
): RewrittenSql {
  // Triple-quoted strings are BigQuery's (and the default); with bigQuery false, four quotes are a string holding one quote.
  const tokens = tokenizeSql(text, { ...options, tripleQuotes: options.bigQuery !== false });
  const chars = [...text];
  if (chars.length !== text.length) return { text, starModifiers: [], tableOperators: [] }; // astral characters
  const starModifiers: StarModifier[] = [];
  const tableOperators = liftTableOperators(tokens, chars);
  const lifted = (t: SqlToken) => tableOperators.some((op) => t.start >= op.offset && t.start < op.end);
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i] as SqlToken;
    if (tableOperators.length > 0 && lifted(t)) continue;
    if (options.bigQuery && t.text === "[") {
      i = rewriteSubscript(tokens, i, chars);
      continue;
    }
    if (options.bigQuery && (t.kind === "punct" || t.kind === "quoted"))
      rewriteBigQueryPunctuation(tokens, i, chars);
    // A trailing comma after the last select item (`SELECT a, b, FROM t`; BigQuery, Snowflake and DuckDB
    // allow it): the grammars reject it, or read `FROM (subquery)` after it as one more item.
    if (t.text === "," && is(tokens[i + 1], "from")) blank(chars, t.start, t.end);
    else if (t.text === "*") i = rewriteStar(tokens, i, chars, starModifiers);
    else if ((is(t, "ignore") || is(t, "respect")) && is(tokens[i + 1], "nulls")) {
      blank(chars, t.start, (tokens[i + 1] as SqlToken).end);
      i += 1;
    } else if (is(t, "is")) i = rewriteDistinctFrom(tokens, i, chars);
    else if (is(t, "by") && is(tokens[i + 1], "name") && isSetOperator(tokens[i - 1], tokens[i - 2])) {
      // `UNION ALL BY NAME` (BigQuery, Snowflake, DuckDB): the grammars lack it; the marker keeps its meaning.
      starModifiers.push({ offset: t.start, kind: "byName", columns: [] });
      blank(chars, t.start, (tokens[i + 1] as SqlToken).end);
      i += 1;
    } else if (options.bigQuery && startsBigQueryRewrite(t)) i = rewriteBigQuery(tokens, i, chars);
    else if (t.text === ":") i = rewriteCastType(tokens, i, chars) ?? rewriteVariantPath(tokens, i, chars);
    else if (t.text === "=") rewriteNamedArgument(tokens, i, chars);
    else if (is(t, "preceding") || is(t, "following")) rewriteFrameBound(tokens, i, chars);
    else if (is(t, "within")) i = rewriteWithinGroup(tokens, i, chars);
    else if (t.kind === "string") rewriteString(t, chars);
    else if (t.kind === "word" && /^(r|b|rb|br)$/i.test(t.text) && tokens[i + 1]?.start === t.end) {
      if (tokens[i + 1]?.kind === "string" || tokens[i + 1]?.kind === "quoted") blank(chars, t.start, t.end);
    }
  }
  return { text: chars.join(""), starModifiers, tableOperators };
}
