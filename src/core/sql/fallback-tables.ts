import { identifierName, type SqlToken } from "./tokenize-sql.js";

/** Tables a statement reads and writes, recognised from keywords when the parser cannot read it. */
export type FallbackTables = {
  readonly targets: ReadonlyArray<{ id: string; line: number; kind: "table" | "view" }>;
  readonly reads: ReadonlyArray<{ id: string; line: number }>;
};

const READ_KEYWORDS = new Set(["from", "join", "using"]);
const NOT_A_TABLE = new Set([
  "select",
  "with",
  "lateral",
  "unnest",
  "table",
  "only",
  "values",
  "as",
  "on",
  "where",
  "dual",
]);

function isName(t: SqlToken | undefined): t is SqlToken {
  return t !== undefined && (t.kind === "word" || t.kind === "quoted");
}

/** Reads a dotted name starting at `i`; returns the id and the index after it. */
function readName(tokens: readonly SqlToken[], i: number): { id: string; next: number } | undefined {
  const parts: string[] = [];
  let j = i;
  while (isName(tokens[j])) {
    parts.push(identifierName(tokens[j] as SqlToken));
    if (tokens[j + 1]?.text !== ".") break;
    j += 2;
  }
  if (parts.length === 0) return undefined;
  return { id: parts.join("."), next: j + 1 };
}

function cteNames(tokens: readonly SqlToken[]): Set<string> {
  const names = new Set<string>();
  tokens.forEach((t, i) => {
    if (isName(t) && tokens[i + 1]?.text.toLowerCase() === "as" && tokens[i + 2]?.text === "(") {
      names.add(identifierName(t));
    }
  });
  return names;
}

function targetAt(tokens: readonly SqlToken[], i: number): { i: number; kind: "table" | "view" } | undefined {
  const word = tokens[i]?.text.toLowerCase();
  if (word === "into" || word === "merge")
    return { i: i + 1 + (tokens[i + 1]?.text.toLowerCase() === "into" ? 1 : 0), kind: "table" };
  if (word !== "create") return undefined;
  for (let j = i + 1; j < Math.min(tokens.length, i + 8); j += 1) {
    const w = tokens[j]?.text.toLowerCase();
    if (w === "table" || w === "view") {
      let k = j + 1;
      while (["if", "not", "exists"].includes(tokens[k]?.text.toLowerCase() ?? "")) k += 1;
      return { i: k, kind: w };
    }
  }
  return undefined;
}

/**
 * Table-level lineage from tokens: targets of CREATE TABLE/VIEW, INSERT INTO and MERGE INTO, and
 * tables after FROM, JOIN and USING, skipping CTE names, function calls (`extract(x from y)`,
 * `unnest(…)`) and macro placeholders. `lineOf` maps an offset to the user's line.
 */
export function fallbackTables(
  tokens: readonly SqlToken[],
  lineOf: (offset: number) => number,
): FallbackTables {
  const ctes = cteNames(tokens);
  const targets: Array<{ id: string; line: number; kind: "table" | "view" }> = [];
  const reads: Array<{ id: string; line: number }> = [];
  // Each open paren remembers whether it belongs to a function call, where FROM is not a table.
  const parens: boolean[] = [];
  tokens.forEach((t, i) => {
    if (t.text === "(") {
      const prev = tokens[i - 1];
      const nextWord = tokens[i + 1]?.text.toLowerCase();
      parens.push(
        isName(prev) &&
          !READ_KEYWORDS.has(prev.text.toLowerCase()) &&
          nextWord !== "select" &&
          nextWord !== "with",
      );
    } else if (t.text === ")") parens.pop();
    const inFunction = parens[parens.length - 1] === true;
    const target = targetAt(tokens, i);
    if (target) {
      const name = readName(tokens, target.i);
      if (name)
        targets.push({ id: name.id, line: lineOf((tokens[target.i] as SqlToken).start), kind: target.kind });
      return;
    }
    if (inFunction || t.kind !== "word" || !READ_KEYWORDS.has(t.text.toLowerCase())) return;
    const name = readName(tokens, i + 1);
    if (!name || tokens[name.next]?.text === "(") return;
    const first = tokens[i + 1] as SqlToken;
    if (first.kind === "word" && NOT_A_TABLE.has(first.text.toLowerCase())) return;
    if (ctes.has(name.id) || name.id.includes("__backflow_macro_")) return;
    reads.push({ id: name.id, line: lineOf(first.start) });
  });
  return { targets, reads };
}
