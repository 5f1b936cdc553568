import type { ExpressionFacts } from "./analyze-expression.js";
import type { AnalyzedColumn, SourceRef } from "./file-analysis.js";
import type { Transform } from "./schema.js";
import type { Origin } from "./scope.js";

function refKey(ref: SourceRef): string {
  return `${ref.table}\u0000${ref.column}\u0000${ref.candidates?.join(",") ?? ""}`;
}

/** Unique source refs, in first-seen order. */
export function uniqueSources(refs: Iterable<SourceRef>): SourceRef[] {
  const seen = new Map<string, SourceRef>();
  for (const ref of refs) if (!seen.has(refKey(ref))) seen.set(refKey(ref), ref);
  return [...seen.values()];
}

/**
 * A column that is a plain reference to `origin`, named `name` at `line`. A value that only moves
 * (passthrough/rename) stays that, judged against its base column's name; a value computed upstream
 * (a CTE's expression) keeps the upstream transform, line and text, which is where it is defined.
 */
export function columnFromReference(name: string, origin: Origin, line: number): AnalyzedColumn {
  const moves = origin.transform === "passthrough" || origin.transform === "rename";
  if (!moves) {
    return {
      name,
      line: origin.line,
      transform: origin.transform,
      sources: [...origin.sources],
      ...(origin.expression !== undefined ? { expression: origin.expression } : {}),
    };
  }
  // Several sources of the same name (the branches of a union by name) still pass the value through.
  const same = origin.sources.length > 0 && origin.sources.every((s) => s.column === name);
  const transform: Transform = same ? "passthrough" : "rename";
  const renamedHere = transform === "rename" && origin.transform === "passthrough";
  return {
    name,
    line: origin.direct || renamedHere ? line : origin.line,
    transform,
    sources: [...origin.sources],
  };
}

function kindOf(facts: ExpressionFacts): Transform {
  if (facts.macro) return "unknown";
  if (facts.window) return "window";
  if (facts.aggregate) return "aggregate";
  if (facts.origins.length === 0) return "constant";
  // A column of unknown origin (a dynamic PIVOT's) makes the whole value unknown, not a sourceless expression.
  if (facts.origins.some((o) => o.transform === "unknown" && o.sources.length === 0)) return "unknown";
  return "expression";
}

/** A column computed by an expression: sources are every column it reads, the transform its strongest kind. */
export function columnFromExpression(
  name: string,
  facts: ExpressionFacts,
  line: number,
  expression: string,
): AnalyzedColumn {
  return {
    name,
    line,
    transform: kindOf(facts),
    sources: uniqueSources(facts.origins.flatMap((o) => o.sources)),
    expression,
  };
}
