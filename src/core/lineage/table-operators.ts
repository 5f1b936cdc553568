/**
 * PIVOT and UNPIVOT applied to a FROM relation (read from the text by `liftTableOperators`). The result is
 * a derived relation whose columns say where each output comes from; what cannot be read becomes columns
 * of unknown origin with a warning, never a guess.
 */
import type { PivotSpec, TableOperator, UnpivotSpec } from "../sql/rewrite-table-operators.js";
import { uniqueSources } from "./build-column.js";
import type { AnalyzedColumn, SourceRef } from "./file-analysis.js";
import { localLineAt, type QueryContext } from "./query-context.js";
import { originIn, type Relation, UNKNOWN_COLUMNS } from "./scope.js";

/** The relation as a list of columns: a table is one `*` placeholder, an UNNEST value one named column. */
function columnsOf(relation: Relation, alias: string, line: number): AnalyzedColumn[] {
  if (relation.kind === "base") {
    return [
      {
        name: "*",
        line,
        transform: "passthrough",
        sources: [],
        star: { table: relation.id, except: [], replace: [] },
      },
    ];
  }
  if (relation.kind === "value") {
    const { sources, transform } = relation.origin;
    return [{ name: alias, line, transform, sources: [...sources] }];
  }
  return [...relation.columns];
}

/** The columns minus `names`; a `*` placeholder gets them as EXCEPT. */
function without(columns: readonly AnalyzedColumn[], names: readonly string[]): AnalyzedColumn[] {
  return columns.flatMap((c) => {
    if (c.star) return [{ ...c, star: { ...c.star, except: [...new Set([...c.star.except, ...names])] } }];
    return names.includes(c.name) ? [] : [c];
  });
}

/** Sources of `names` in the relation, or undefined when one of them is not there. */
function sourcesOf(relation: Relation, names: readonly string[], line: number): SourceRef[] | undefined {
  const out: SourceRef[] = [];
  for (const name of names) {
    const origin = originIn(relation, name, line);
    if (!origin || origin.transform === "unknown") return undefined;
    out.push(...origin.sources);
  }
  return uniqueSources(out);
}

function unknownColumns(expression: string, line: number): AnalyzedColumn {
  return { name: UNKNOWN_COLUMNS, line, transform: "unknown", sources: [], expression };
}

type Applied = { columns: AnalyzedColumn[]; problem?: string };

function pivotName(value: string, alias: string | undefined, dialect: string): string {
  if (!alias) return value;
  return dialect === "duckdb" ? `${value}_${alias}` : `${alias}_${value}`;
}

function applyPivot(
  relation: Relation,
  spec: PivotSpec,
  alias: string,
  line: number,
  dialect: string,
): Applied {
  const read = [...new Set([...spec.aggregates.flatMap((a) => a.columns), ...spec.pivotColumns])];
  const kept = without(columnsOf(relation, alias, line), read);
  if (spec.values === "dynamic") {
    return {
      columns: [unknownColumns("PIVOT … IN (ANY | subquery)", line)],
      problem: "PIVOT with a dynamic IN list (ANY or a subquery): its output columns are unknown",
    };
  }
  const pivotSources = sourcesOf(relation, spec.pivotColumns, line);
  const made: AnalyzedColumn[] = [];
  let missing = false;
  for (const value of spec.values) {
    for (const aggregate of spec.aggregates) {
      const name = pivotName(
        value,
        spec.aggregates.length > 1 || aggregate.alias ? aggregate.alias : undefined,
        dialect,
      );
      const sources = sourcesOf(relation, aggregate.columns, line);
      if (!sources || !pivotSources) missing = true;
      made.push(
        sources && pivotSources
          ? { name, line, transform: "aggregate", sources: uniqueSources([...sources, ...pivotSources]) }
          : { name, line, transform: "unknown", sources: [] },
      );
    }
  }
  return {
    columns: [...kept, ...made],
    ...(missing ? { problem: "PIVOT reads a column its input does not have, or one of unknown origin" } : {}),
  };
}

function applyUnpivot(relation: Relation, spec: UnpivotSpec, alias: string, line: number): Applied {
  const read = [...new Set(spec.items.flat())];
  const kept = without(columnsOf(relation, alias, line), read);
  let missing = false;
  const values = spec.valueColumns.map((name, k): AnalyzedColumn => {
    const sources = sourcesOf(
      relation,
      spec.items.map((item) => item[k] as string),
      line,
    );
    if (!sources) missing = true;
    return sources
      ? { name, line, transform: "rename", sources }
      : { name, line, transform: "unknown", sources: [] };
  });
  const label: AnalyzedColumn = { name: spec.nameColumn, line, transform: "constant", sources: [] };
  return {
    columns: [...kept, label, ...values],
    ...(missing
      ? { problem: "UNPIVOT reads a column its input does not have, or one of unknown origin" }
      : {}),
  };
}

function renameAll(applied: Applied, renames: readonly string[], line: number): Applied {
  if (renames.length === 0) return applied;
  if (applied.columns.some((c) => c.star || c.name === UNKNOWN_COLUMNS)) {
    return {
      columns: [unknownColumns("PIVOT/UNPIVOT … AS alias (columns)", line)],
      problem: "the column list after a PIVOT/UNPIVOT alias renames columns whose number is unknown",
    };
  }
  return { ...applied, columns: applied.columns.map((c, i) => ({ ...c, name: renames[i] ?? c.name })) };
}

/** Applies the operators (in order: a chain) to `relation`, warning in `ctx` where columns became unknown. */
export function applyTableOperators(
  relation: Relation,
  operators: readonly TableOperator[],
  alias: string,
  ctx: QueryContext,
): Relation {
  let current = relation;
  for (const op of operators) {
    const line = ctx.lineOf(localLineAt(ctx.text, op.offset));
    const { spec } = op;
    let applied: Applied =
      spec.kind === "pivot"
        ? applyPivot(current, spec, alias, line, ctx.dialect ?? "")
        : spec.kind === "unpivot"
          ? applyUnpivot(current, spec, alias, line)
          : {
              columns: [unknownColumns(`${spec.keyword.toUpperCase()} (…)`, line)],
              problem: `${spec.keyword.toUpperCase()} could not be read: its output columns are unknown`,
            };
    applied = renameAll(applied, op.renames, line);
    if (applied.problem) ctx.warnings.push({ line, message: applied.problem });
    current = { kind: "derived", columns: applied.columns };
  }
  return current;
}
