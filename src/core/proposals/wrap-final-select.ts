import {
  contentEnd,
  isWord,
  lineStart,
  type ScannedModel,
  type ScannedToken,
  statementAround,
} from "./scan-model.js";

/** A text insertion at an offset of the original text. */
export type Insertion = { readonly at: number; readonly text: string };

/** Applies insertions (any order) to a text. */
export function insertAll(text: string, insertions: readonly Insertion[]): string {
  let out = text;
  for (const ins of [...insertions].sort((a, b) => b.at - a.at))
    out = out.slice(0, ins.at) + ins.text + out.slice(ins.at);
  return out;
}

function freeName(model: ScannedModel, wanted: string): string {
  const used = new Set(model.tokens.filter((t) => t.kind === "word").map((t) => t.text.toLowerCase()));
  let name = wanted;
  for (let n = 2; used.has(name); n++) name = `${wanted}_${n}`;
  return name;
}

/**
 * Wraps the main query of the statement that starts on `line` in a CTE named like `cteName`, so an
 * outer query can filter or deduplicate its rows without touching how any column is computed:
 * `with a as (…) select …` becomes `with a as (…), <cte> as (select …) <outer>`. Jinja (config blocks,
 * `{% if is_incremental() %}` filters) stays where it was, inside the wrapped query.
 * `outer(cte)` returns the text of the query that reads the CTE.
 */
export function wrapFinalSelect(input: {
  model: ScannedModel;
  line: number;
  cteName: string;
  outer: (cte: string) => string;
}): { text: string; insertions: Insertion[] } | { reason: string } {
  const { model } = input;
  const { from, to } = statementAround(model, lineStart(model.text, input.line));
  const tokens = model.tokens.slice(from, to);
  const top = tokens.filter((t) => t.depth === 0);
  const firstQuery = top.findIndex((t) => isWord(t, "with", "select"));
  if (firstQuery === -1) return { reason: "found no SELECT in the statement that produces the table" };
  const hasWith = isWord(top[firstQuery], "with");
  const select = top.slice(firstQuery + (hasWith ? 1 : 0)).find((t) => isWord(t, "select"));
  if (!select) return { reason: "found no top-level SELECT after the WITH clause" };
  const selectIndex = top.indexOf(select);
  const previous = top[selectIndex - 1];
  if (hasWith && previous?.text !== ")") {
    return { reason: "the query's WITH clause is not followed by a plain SELECT" };
  }
  const last = tokens[tokens.length - 1] as ScannedToken;
  const limit = to < model.tokens.length ? (model.tokens[to] as ScannedToken).start : model.text.length;
  const end = contentEnd(model, last, limit);
  const cte = freeName(model, input.cteName);
  const opening = hasWith ? `${cte} as (\n\n` : `with ${cte} as (\n\n`;
  const insertions: Insertion[] = [
    ...(hasWith && previous ? [{ at: previous.end, text: "," }] : []),
    { at: select.start, text: opening },
    { at: end, text: `\n\n)\n\n${input.outer(cte)}` },
  ];
  return { text: insertAll(model.text, insertions), insertions };
}
