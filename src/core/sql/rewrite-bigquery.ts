/**
 * Offset-preserving rewrites of BigQuery syntax node-sql-parser's BigQuery grammar cannot read: CAST type
 * names, GROUP BY ALL, QUALIFY right after FROM, DISTINCT / ORDER BY / LIMIT inside ARRAY_AGG and STRING_AGG,
 * a field read from a call or subquery result. Each keeps
 * what lineage needs (the columns read, and the kind of expression) and never moves a newline.
 */
import { blank, is, matchingParen } from "./sql-text-edits.js";
import type { SqlToken } from "./tokenize-sql.js";

/** Type names the grammar lacks → a name it reads, no longer (the target type is not lineage). */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  boolean: "BOOL",
  bytes: "BOOL",
  bignumeric: "NUMERIC",
  bigdecimal: "NUMERIC",
  bigint: "INT64",
  smallint: "INT64",
  tinyint: "INT64",
  byteint: "INT64",
};

/** Index of the CAST / SAFE_CAST whose parenthesis encloses token `i` at depth 0, or -1. */
function castOpening(tokens: readonly SqlToken[], i: number): number {
  let depth = 0;
  for (let j = i - 1; j > 0; j -= 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === ")") depth += 1;
    else if (t.text === "(" && depth-- === 0)
      return is(tokens[j - 1], "cast") || is(tokens[j - 1], "safe_cast") ? j - 1 : -1;
  }
  return -1;
}

/**
 * `CAST(x AS BIGINT)` → `CAST(x AS INT64 )`. `INT` has no name of three letters or fewer the grammar
 * reads, so `CAST(x AS INT)` → `ABS( x       )`: a function of `x`, which is what lineage records for a
 * cast (an expression reading x), while the text the user sees is still sliced from the original.
 */
function rewriteCastType(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  const type = tokens[i + 1];
  if ((is(type, "struct") || is(type, "array")) && tokens[i + 2]?.text === "<") {
    rewriteParameterizedCast(tokens, i, chars);
    return;
  }
  if (type?.kind !== "word" || tokens[i + 2]?.text !== ")") return;
  const lower = type.text.toLowerCase();
  const name = TYPE_NAMES[lower];
  if (!name && lower !== "int") return;
  const cast = castOpening(tokens, i);
  if (cast < 0) return;
  if (name) {
    blank(chars, type.start, type.end, name);
    return;
  }
  blank(chars, (tokens[cast] as SqlToken).start, (tokens[cast + 1] as SqlToken).end, "ABS(");
  blank(chars, (tokens[i] as SqlToken).start, type.end);
}

/**
 * `CAST(x AS STRUCT<a STRING, m JSON>)` → `CAST(x AS STRING            )`: the target type is not lineage,
 * and the grammar rejects some field types inside STRUCT<…> (JSON). The cast stays an expression of `x`.
 */
function rewriteParameterizedCast(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  let depth = 0;
  for (let j = i + 2; j < tokens.length; j += 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === "<") depth += 1;
    else if (t.text === ">" && --depth === 0) {
      if (tokens[j + 1]?.text !== ")" || castOpening(tokens, i) < 0) return;
      blank(chars, (tokens[i + 1] as SqlToken).start, t.end, "STRING");
      return;
    } else if (t.text === "(" || t.text === ")") return;
  }
}

/** `GROUP BY ALL` → nothing: grouping keys are not column lineage, and the grammar lacks ALL there. */
function rewriteGroupByAll(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  const all = tokens[i + 2];
  if (!is(tokens[i + 1], "by") || !is(all, "all") || tokens[i + 3]?.text === "(") return i;
  blank(chars, (tokens[i] as SqlToken).start, (all as SqlToken).end);
  return i + 2;
}

/**
 * Whether a WHERE, HAVING or GROUP BY (not GROUP BY ALL, which is blanked) of the same SELECT comes
 * before token `i` at the same depth.
 */
function followsClause(tokens: readonly SqlToken[], i: number): boolean {
  return scanBack(tokens, i - 1, (word, j) => {
    if (word === "select") return false;
    if (word === "where" || word === "having") return true;
    if (word === "group" && is(tokens[j + 1], "by") && !is(tokens[j + 2], "all")) return true;
    return undefined;
  });
}

/**
 * Walks back from token `from` over the words of the same nesting level (skipping parenthesised
 * parts), returning the first answer `decide` gives; false at the enclosing `(` or the start.
 */
function scanBack(
  tokens: readonly SqlToken[],
  from: number,
  decide: (word: string, j: number) => boolean | undefined,
): boolean {
  let depth = 0;
  for (let j = from; j >= 0; j -= 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === ")") depth += 1;
    else if (t.text === "(" && --depth < 0) return false;
    else if (depth === 0 && t.kind === "word") {
      const answer = decide(t.text.toLowerCase(), j);
      if (answer !== undefined) return answer;
    }
  }
  return false;
}

/**
 * `FROM t QUALIFY cond` → `FROM t WHERE   cond`: right after FROM the grammar reads QUALIFY as the table's
 * alias (after WHERE, GROUP BY or HAVING it reads it fine). The condition's columns stay filter row sources.
 */
function rewriteQualify(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  if (followsClause(tokens, i)) return;
  const token = tokens[i] as SqlToken;
  blank(chars, token.start, token.end, "WHERE");
}

/**
 * `ARRAY_AGG(DISTINCT x ORDER BY y DESC LIMIT 1)` → `ARRAY_AGG(         x ,        y              )`: the
 * grammar reads none of DISTINCT, ORDER BY or LIMIT inside an aggregate; the ORDER BY keys stay arguments,
 * so they remain sources (the order decides which values the array holds first).
 */
function rewriteOrderedAggregate(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  if (tokens[i + 1]?.text !== "(") return;
  // `ARRAY_AGG(x) OVER (…)`: the grammar reads no window after ARRAY_AGG but does after ANY_VALUE, an
  // analytic function of the same arguments and the same length; the call stays a window over x.
  const word = tokens[i] as SqlToken;
  if (is(word, "array_agg") && is(tokens[matchingParen(tokens, i + 1) + 1], "over"))
    blank(chars, word.start, word.end, "ANY_VALUE");
  let depth = 0;
  for (let j = i + 2; j < tokens.length; j += 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === "(") depth += 1;
    else if (t.text === ")" && depth-- === 0) return;
    if (depth !== 0 || t.kind !== "word") continue;
    const next = tokens[j + 1];
    if (j === i + 2 && is(t, "distinct")) blank(chars, t.start, t.end);
    else if (is(t, "order") && is(next, "by")) blank(chars, t.start, (next as SqlToken).end, ",");
    else if (is(t, "asc") || is(t, "desc")) blank(chars, t.start, t.end);
    else if (is(t, "nulls") && (is(next, "first") || is(next, "last")))
      blank(chars, t.start, (next as SqlToken).end);
    else if (is(t, "limit") && next?.kind === "number") blank(chars, t.start, next.end);
  }
}

/** Words after which a `,` or FROM cannot end a select item. */
const CLAUSE_WORDS = new Set([
  "where",
  "group",
  "order",
  "having",
  "from",
  "join",
  "on",
  "by",
  "qualify",
  "window",
]);

/** Whether the `)` at `i` ends an expression that sits directly in a SELECT list. */
function inSelectList(tokens: readonly SqlToken[], i: number): boolean {
  return scanBack(tokens, i, (word) =>
    word === "select" ? true : CLAUSE_WORDS.has(word) ? false : undefined,
  );
}

const adjacent = (a: SqlToken | undefined, b: SqlToken | undefined): boolean =>
  a !== undefined && b !== undefined && a.end === b.start;

/**
 * `fn(x).field` / `(SELECT …).field` → `fn(x)      `: the field is read from the value, whose sources are
 * the call's. As a select item without an alias it becomes `fn(x) field`, the name BigQuery gives it.
 * `fn(x).*` is left alone (its columns are unknown either way).
 */
function rewriteFieldAccess(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  let end = i;
  while (
    tokens[end + 1]?.text === "." &&
    adjacent(tokens[end], tokens[end + 1]) &&
    adjacent(tokens[end + 1], tokens[end + 2]) &&
    (tokens[end + 2]?.kind === "word" || tokens[end + 2]?.kind === "quoted")
  )
    end += 2;
  if (end === i) return i;
  const after = tokens[end + 1];
  const endsItem = after === undefined || after.text === "," || after.text === ")" || is(after, "from");
  const start = (tokens[i + 1] as SqlToken).start;
  if (endsItem && inSelectList(tokens, i)) blank(chars, start, (tokens[end - 1] as SqlToken).end);
  else blank(chars, start, (tokens[end] as SqlToken).end);
  return end;
}

const ORDERED_AGGREGATES = new Set(["array_agg", "string_agg", "array_concat_agg"]);
const STARTS = new Set([
  "as",
  "group",
  "qualify",
  "external_query",
  "array",
  "table",
  "for",
  "interval",
  ...ORDERED_AGGREGATES,
]);

/** Interval units the grammar lacks, as one it reads: the unit is not lineage, the amount is. */
const INTERVAL_UNITS = new Set(["microsecond", "millisecond"]);

/** `INTERVAL 1 MICROSECOND` → `INTERVAL 1 SECOND     `. Returns the last token consumed. */
function rewriteIntervalUnit(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  const unit = tokens[i + 2];
  if (unit?.kind !== "word" || !INTERVAL_UNITS.has(unit.text.toLowerCase())) return i;
  blank(chars, unit.start, unit.end, "SECOND");
  return i + 2;
}

/**
 * `` `p.d.t` FOR SYSTEM_TIME AS OF TIMESTAMP(@d, 'UTC') `` → the table alone: time travel picks which
 * version of the rows is read, not which columns. The point in time must be one call or one token (a
 * parameter, a literal); anything else is left alone. Returns the last token consumed.
 */
function rewriteTimeTravel(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  if (!is(tokens[i + 1], "system_time") || !is(tokens[i + 2], "as") || !is(tokens[i + 3], "of")) return i;
  let end = i + 4;
  const first = tokens[end];
  if (!first) return i;
  if (first.text === "@" && tokens[end + 1]?.kind === "word") end += 1;
  else if (first.kind === "word" && tokens[end + 1]?.text === "(") end = matchingParen(tokens, end + 1);
  else if (first.kind !== "string" && first.kind !== "number" && first.kind !== "word") return i;
  blank(chars, (tokens[i] as SqlToken).start, (tokens[end] as SqlToken).end);
  return end;
}

/** Words before `table` that make it the keyword (`CREATE TABLE`, `DROP TABLE IF EXISTS`, `TABLE(...)`). */
const TABLE_KEYWORD_BEFORE = new Set([
  "create",
  "replace",
  "temp",
  "temporary",
  "drop",
  "truncate",
  "exists",
  "external",
  "snapshot",
  "clone",
  "copy",
  "alter",
  "into",
  "like",
  "from",
  "join",
]);

/**
 * `` `p.d.t` table … table.col `` → `` `p.d.t` t_ble … t_ble.col ``: BigQuery lets `table` be an alias, the
 * grammar reads it only as a keyword. Renamed (same length) where it is an alias after a backticked table or
 * the qualifier of a column; the alias never reaches the output, only what it resolves to.
 */
function rewriteTableAlias(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  const word = tokens[i] as SqlToken;
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  if (prev?.kind === "word" && TABLE_KEYWORD_BEFORE.has(prev.text.toLowerCase())) return;
  if (next?.text === "(") return;
  const qualifier = next?.text === "." && adjacent(word, next) && tokens[i + 2]?.kind === "word";
  const alias = prev?.kind === "quoted" && prev.text.startsWith("`") && !qualifier;
  if (qualifier || alias) blank(chars, word.start, word.end, "t_ble");
}

/**
 * `ARRAY<STRUCT<a STRING>>[…]` → `                        […]`: the element type of an array literal is not
 * lineage, and the grammar rejects it before an empty `[]`. Returns the last token consumed.
 */
function rewriteTypedArray(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  if (tokens[i + 1]?.text !== "<") return i;
  let depth = 0;
  for (let j = i + 1; j < tokens.length && j < i + 400; j += 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === "<") depth += 1;
    else if (t.text === ">" && --depth === 0) {
      if (tokens[j + 1]?.text !== "[") return i;
      blank(chars, (tokens[i] as SqlToken).start, t.end);
      return j;
    } else if (t.text === "(" || t.text === ")" || t.text === ";") return i;
  }
  return i;
}

/** The SQL inside a string literal token, when its characters are the query's own (no escapes). */
function literalSql(token: SqlToken | undefined): { start: number; end: number } | undefined {
  if (!token || (token.kind !== "string" && token.kind !== "quoted") || token.text.startsWith("`")) return;
  const quote = token.text.slice(0, 3);
  const delimiter = quote === '"""' || quote === "'''" ? 3 : 1;
  if (token.text.length < 2 * delimiter || token.text.includes("\\")) return undefined;
  return { start: token.start + delimiter, end: token.end - delimiter };
}

/**
 * `EXTERNAL_QUERY("connection", """SELECT a, b FROM db.t""")` → `(SELECT a, b FROM db.t)`: the federated
 * query is a subquery whose text is another database's SQL, so its columns and the external tables it
 * reads (`db.t`) are traced instead of being unknown. The connection, the comma and the quotes become
 * blanks; the query keeps its offsets. Left alone when the query is not one plain string literal.
 */
function rewriteExternalQuery(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  const open = tokens[i + 1];
  if (open?.text !== "(" || !adjacent(tokens[i], open)) return i;
  const connection = tokens[i + 2];
  if (!literalSql(connection) || tokens[i + 3]?.text !== ",") return i;
  const query = tokens[i + 4];
  const inner = literalSql(query);
  if (!inner || !query || !/^\s*(select|with)\b/i.test(chars.slice(inner.start, inner.end).join("")))
    return i;
  let close = i + 5;
  // An options argument (`'{"default_type_for_decimal_columns":"numeric"}'`) is blanked too.
  if (tokens[close]?.text === "," && literalSql(tokens[close + 1])) close += 2;
  if (tokens[close]?.text !== ")") return i;
  const word = tokens[i] as SqlToken;
  blank(chars, word.start, word.end);
  blank(chars, (connection as SqlToken).start, (tokens[i + 3] as SqlToken).end);
  blank(chars, query.start, inner.start);
  blank(chars, inner.end, (tokens[close - 1] as SqlToken).end);
  return close;
}

/** Whether a BigQuery rewrite may start at this token. */
export function startsBigQueryRewrite(token: SqlToken): boolean {
  return token.text === ")" || (token.kind === "word" && STARTS.has(token.text.toLowerCase()));
}

/** Applies the BigQuery rewrite that starts at token `i`, if any; returns the last token it consumed. */
export function rewriteBigQuery(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  const word = (tokens[i] as SqlToken).text.toLowerCase();
  if (word === ")") return rewriteFieldAccess(tokens, i, chars);
  if (word === "as") rewriteCastType(tokens, i, chars);
  else if (word === "group") return rewriteGroupByAll(tokens, i, chars);
  else if (word === "qualify") rewriteQualify(tokens, i, chars);
  else if (ORDERED_AGGREGATES.has(word)) rewriteOrderedAggregate(tokens, i, chars);
  else if (word === "external_query") return rewriteExternalQuery(tokens, i, chars);
  else if (word === "array") return rewriteTypedArray(tokens, i, chars);
  else if (word === "table") rewriteTableAlias(tokens, i, chars);
  else if (word === "for") return rewriteTimeTravel(tokens, i, chars);
  else if (word === "interval") return rewriteIntervalUnit(tokens, i, chars);
  return i;
}

/** Whether `>>` at `i` closes `ARRAY<STRUCT<…>>` rather than shifting bits. */
function closesTypeParameters(tokens: readonly SqlToken[], i: number): boolean {
  for (let j = i - 1; j > 0 && j > i - 80; j -= 1) {
    if (tokens[j]?.text === "<" && (is(tokens[j - 1], "array") || is(tokens[j - 1], "struct"))) return true;
  }
  return false;
}

/** Words after which a backticked name followed by `(` is a table (`INSERT INTO \`t\` (a, b)`), not a call. */
const TABLE_INTRO = new Set(["into", "table", "from", "join", "view", "function", "exists", "update"]);

/**
 * BigQuery punctuation and names the grammar lacks, rewritten in place: bitwise `&`, `|`, `^`, `<<`, `>>`,
 * `~` → `+`/`-` (an expression of the same operands), and a backticked function name
 * (`` `project.udf.f`(x) ``) → the same characters as one plain identifier.
 */
export function rewriteBigQueryPunctuation(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  const t = tokens[i] as SqlToken;
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  if (t.kind === "quoted" && t.text.startsWith("`") && next?.text === "(") {
    if (prev?.kind === "word" && TABLE_INTRO.has(prev.text.toLowerCase())) return;
    blank(chars, t.start, t.end, t.text.replace(/[^A-Za-z0-9_]/g, "_"));
    return;
  }
  if (t.kind !== "punct") return;
  if (t.text === "(" && is(next, "select")) {
    wrapScalarSubquery(tokens, i, chars);
    return;
  }
  const joinedPrev = adjacent(prev, t) ? prev?.text : undefined;
  const joinedNext = adjacent(t, next) ? next?.text : undefined;
  if (t.text === "&" && joinedNext !== "&" && joinedPrev !== "&") blank(chars, t.start, t.end, "+");
  else if (t.text === "^") blank(chars, t.start, t.end, "+");
  else if (t.text === "~" && joinedNext !== "=") blank(chars, t.start, t.end, "-");
  else if (t.text === "|" && joinedNext !== "|" && joinedPrev !== "|") blank(chars, t.start, t.end, "+");
  else if (
    (t.text === "<" || t.text === ">") &&
    joinedNext === t.text &&
    joinedPrev !== t.text &&
    joinedPrev !== "-"
  )
    if (!(t.text === ">" && closesTypeParameters(tokens, i)))
      blank(chars, t.start, (next as SqlToken).end, "+");
}

/** Tokens after which `(SELECT` is a value (an operand or an argument), not a FROM item, CTE body or IN list. */
const VALUE_INTRO = new Set([",", "(", "=", "<", ">", "+", "-", "*", "/", "||", "<=", ">=", "<>", "!="]);
const VALUE_WORDS = new Set(["select", "then", "else", "when", "and", "or", "not", "case", "struct"]);

/** Whether the `(` at `i` opens a call's argument list (`f(`), not a group or an IN/EXISTS list. */
function opensCall(tokens: readonly SqlToken[], i: number): boolean {
  const before = tokens[i - 1];
  if (!before || !adjacent(before, tokens[i])) return false;
  if (before.kind === "quoted") return true;
  return (
    before.kind === "word" &&
    !["in", "exists", "array", "as", "from", "join"].includes(before.text.toLowerCase())
  );
}

/**
 * `(SELECT AS STRUCT a, b …)`, `(SELECT * FROM t)`, `(SELECT x.* …)` used as a value: BigQuery allows a
 * struct (or a one-column `*`) there, but the grammar rejects a scalar subquery with more than one
 * column or a `*` ("invalid column clause") unless it is a call's argument. Two blanks before the `(` and
 * one after its `)` (or the `.` of `).*`) become `f(` and `)`: the same subquery as the argument of a call, whose value is
 * computed from it. Done only where the name `f` cannot become a column's name: the value has an alias
 * (`… ) AS s`) or is itself an argument of a call. Left alone when there is no room.
 */
function wrapScalarSubquery(tokens: readonly SqlToken[], i: number, chars: string[]): void {
  const open = tokens[i] as SqlToken;
  const prev = tokens[i - 1];
  const introduced =
    prev !== undefined &&
    ((prev.kind === "punct" && VALUE_INTRO.has(prev.text)) ||
      (prev.kind === "word" && VALUE_WORDS.has(prev.text.toLowerCase())));
  if (!introduced || !needsWrapping(tokens, i + 1)) return;
  // Inside `* REPLACE (…)` every item is a value, whether it follows the `(` or a `,`.
  const replacement = is(tokens[enclosingOpen(tokens, i) - 1], "replace");
  if ((prev?.text === "," || prev?.text === "(") && !replacement) {
    // A `,` or `(` also separates FROM items and opens subqueries: only in a SELECT list or a call.
    const inCall = enclosingCall(tokens, i);
    if (!inCall && !inSelectList(tokens, i - 1)) return;
  }
  const close = matchingParen(tokens, i);
  const closing = tokens[close] as SqlToken;
  if (closing.text !== ")") return;
  const after = tokens[close + 1];
  // `(SELECT AS STRUCT …).*`: the `.` becomes the `)` (rewriteStar blanks `.*` but keeps it).
  const fields = after?.text === "." && adjacent(closing, after) && tokens[close + 2]?.text === "*";
  if (!is(after, "as") && !fields && !enclosingCall(tokens, i)) return;
  const room = (at: number) => chars[at] === " " || chars[at] === "\t";
  if (!room(open.start - 1) || !room(open.start - 2) || !(fields || room(closing.end))) return;
  chars[open.start - 2] = "f";
  chars[open.start - 1] = "(";
  chars[closing.end] = ")";
}

/** Index of the innermost `(` around token `i`, or -1 at the top level. */
function enclosingOpen(tokens: readonly SqlToken[], i: number): number {
  let depth = 0;
  for (let j = i - 1; j >= 0; j -= 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === ")") depth += 1;
    else if (t.text === "(" && --depth < 0) return j;
  }
  return -1;
}

/** Whether the innermost `(` around token `i` opens a call's argument list. */
function enclosingCall(tokens: readonly SqlToken[], i: number): boolean {
  const open = enclosingOpen(tokens, i);
  return open >= 0 && opensCall(tokens, open);
}

/** Whether the select list starting at token `i` (`SELECT`) has a `*` or more than one item. */
function needsWrapping(tokens: readonly SqlToken[], i: number): boolean {
  let j = i + 1;
  if (is(tokens[j], "as") && is(tokens[j + 1], "struct")) j += 2;
  else if (is(tokens[j], "distinct") || is(tokens[j], "all")) j += 1;
  const first = j;
  let depth = 0;
  for (; j < tokens.length; j += 1) {
    const t = tokens[j] as SqlToken;
    if (t.text === "(") depth += 1;
    else if (t.text === ")" && --depth < 0) return false;
    else if (depth > 0) continue;
    else if (t.text === ",") return true;
    else if (t.text === "*" && (j === first || tokens[j - 1]?.text === "." || tokens[j - 1]?.text === ","))
      return true;
    else if (t.kind === "word" && ["from", "where", "group", "union", "limit"].includes(t.text.toLowerCase()))
      return false;
  }
  return false;
}

const SUBSCRIPT_CALLS = new Set(["offset", "safe_offset", "ordinal", "safe_ordinal"]);

/**
 * `f(x)[OFFSET(0)]`, `a[SAFE_ORDINAL(1)].field`, `arr[0]` → the value without the subscript (and without the
 * element's field path): an element is read from the array, whose sources are the array's. The grammar
 * reads a subscript only right after a column name. `[…].*` keeps its `.*` (the fields of the element).
 * Returns the last token consumed.
 */
export function rewriteSubscript(tokens: readonly SqlToken[], i: number, chars: string[]): number {
  const open = tokens[i] as SqlToken;
  const prev = tokens[i - 1];
  if (!adjacent(prev, open) || !prev) return i;
  const value =
    prev.text === ")" ||
    prev.text === "]" ||
    prev.kind === "quoted" ||
    (prev.kind === "word" && !is(prev, "array"));
  if (!value) return i;
  let close = i + 1;
  let depth = 0;
  for (; close < tokens.length; close += 1) {
    const t = tokens[close] as SqlToken;
    if (t.text === "[") depth += 1;
    else if (t.text === "]" && depth-- === 0) break;
  }
  if (close >= tokens.length) return i;
  const inner = tokens.slice(i + 1, close);
  const call =
    inner[0]?.kind === "word" && SUBSCRIPT_CALLS.has(inner[0].text.toLowerCase()) && inner[1]?.text === "(";
  const simple = inner.length === 1 && (inner[0]?.kind === "number" || inner[0]?.kind === "word");
  if (!call && !simple) return i;
  let end = close;
  while (
    tokens[end + 1]?.text === "." &&
    adjacent(tokens[end], tokens[end + 1]) &&
    (tokens[end + 2]?.kind === "word" || tokens[end + 2]?.kind === "quoted")
  )
    end += 2;
  blank(chars, open.start, (tokens[end] as SqlToken).end);
  return end;
}
