import { type SqlToken, tokenizeSql } from "./tokenize-sql.js";

/** One statement of a SQL file; `start`/`end` are offsets into the file's text. */
export type SqlStatement = {
  readonly start: number;
  readonly end: number;
  readonly tokens: readonly SqlToken[];
  /** Statements that carry no lineage (DECLARE, SET, CREATE FUNCTION, DROP, …) are skipped, not parsed. */
  readonly skip: boolean;
};

const NO_LINEAGE_START = new Set([
  "declare",
  "set",
  "use",
  "begin",
  "commit",
  "end",
  "rollback",
  "grant",
  "revoke",
  "drop",
  "alter",
  "truncate",
  "assert",
  "call",
  "comment",
  "execute",
  "export",
  "if",
  "return",
  "raise",
  "analyze",
  "vacuum",
  "copy",
  "unload",
  "delete",
]);
const NO_LINEAGE_CREATE = new Set([
  "function",
  "procedure",
  "schema",
  "database",
  "index",
  "sequence",
  "stage",
  "macro",
  "type",
  "extension",
  "role",
  "user",
]);

function carriesNoLineage(tokens: readonly SqlToken[]): boolean {
  const words = tokens.slice(0, 6).map((t) => t.text.toLowerCase());
  const first = words[0] ?? "";
  if (NO_LINEAGE_START.has(first)) return true;
  if (first !== "create") return false;
  const kind = words
    .slice(1)
    .find((w) => !["or", "replace", "temp", "temporary", "aggregate", "table"].includes(w));
  return kind !== undefined && NO_LINEAGE_CREATE.has(kind) && !words.slice(1).includes("table");
}

/** Splits a SQL file on `;` outside strings and comments, keeping each statement's offsets. */
export function splitStatements(
  text: string,
  options: { hashComments?: boolean; tripleQuotes?: boolean } = {},
): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let current: SqlToken[] = [];
  const flush = () => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last) {
      statements.push({
        start: first.start,
        end: last.end,
        tokens: current,
        skip: carriesNoLineage(current),
      });
    }
    current = [];
  };
  for (const token of tokenizeSql(text, options)) {
    if (token.kind === "punct" && token.text === ";") flush();
    else current.push(token);
  }
  flush();
  return statements;
}
