import { z } from "zod";
import { resolveTarget } from "../commands/resolve-target.js";
import { suggestWord } from "../commands/suggest-word.js";
import type { LineageGraph, LineageTable } from "../lineage/schema.js";
import { codeSpan } from "../render/escape-markdown.js";
import { metricKindOf } from "../signals/signal-schema.js";
import { fingerprintOf } from "../triage/fingerprint.js";
import { type Expectation, type ExpectationProblem, ExpectationSchema } from "./expectation-schema.js";

/** An expectation bound to the lineage: the table it is about and the finding fingerprint it watches. */
export const BoundExpectationSchema = ExpectationSchema.extend({
  tableId: z.string(),
  fingerprint: z.string(),
});
export type BoundExpectation = z.infer<typeof BoundExpectationSchema>;

/** The table a dataset names: exactly, or as the last dotted parts of a table id (or the reverse). */
function findTable(graph: LineageGraph, dataset: string): LineageTable | undefined {
  const name = dataset.toLowerCase();
  return (
    graph.tables.find((t) => t.id === name) ??
    graph.tables.find((t) => t.id.endsWith(`.${name}`)) ??
    graph.tables.filter((t) => name.endsWith(`.${t.id}`)).sort((a, b) => b.id.length - a.id.length)[0]
  );
}

/** The metric identity triage uses for fingerprints: the family, or the name for custom metrics. */
export function metricFamily(metric: string): string {
  const kind = metricKindOf(metric);
  return kind === "custom" ? metric : kind;
}

/**
 * Checks that each expectation's dataset (and column) exists in the lineage, and binds it to the
 * finding fingerprint its signals will carry. A table known only at table level skips the column check.
 */
export function validateExpectations(input: {
  expectations: readonly Expectation[];
  graph: LineageGraph;
  repo: string;
}): { bound: BoundExpectation[]; problems: ExpectationProblem[] } {
  const bound: BoundExpectation[] = [];
  const problems: ExpectationProblem[] = [];
  const tableIds = input.graph.tables.map((t) => t.id);
  for (const written of input.expectations) {
    const { column: _provisional, ...rest } = written;
    const e: Expectation = { ...rest, ...resolveTarget(written.target, tableIds) };
    const table = findTable(input.graph, e.dataset);
    if (!table) {
      const near = suggestWord(
        e.dataset.toLowerCase(),
        input.graph.tables.map((t) => t.id),
      );
      problems.push({
        line: e.line,
        message: `dataset ${codeSpan(e.dataset)} is not in the lineage${near ? ` — did you mean ${codeSpan(near)}?` : ""}`,
      });
      continue;
    }
    const column = e.column?.toLowerCase();
    const names = table.columns.map((c) => c.name.toLowerCase());
    if (column && table.confidence === "column" && names.length > 0 && !names.includes(column)) {
      const near = suggestWord(column, names);
      problems.push({
        line: e.line,
        message: `column ${codeSpan(column)} is not in ${codeSpan(table.id)}${near ? ` — did you mean ${codeSpan(near)}?` : ""}`,
      });
      continue;
    }
    const fingerprint = fingerprintOf({
      repo: input.repo,
      dataset: table.id,
      column,
      metric: metricFamily(e.metric),
    });
    bound.push({ ...e, tableId: table.id, fingerprint });
  }
  return { bound, problems };
}
