import { type AstNode, locationOf, nameOf } from "../sql/ast-nodes.js";
import { columnFromReference } from "./build-column.js";
import type { AnalyzedColumn } from "./file-analysis.js";
import type { QueryContext } from "./query-context.js";
import { entryFor, type Origin, type Relation, resolveColumn, type Scope, UNKNOWN_COLUMNS } from "./scope.js";

function originOf(column: AnalyzedColumn): Origin {
  return {
    sources: column.sources,
    transform: column.transform,
    line: column.line,
    ...(column.expression !== undefined ? { expression: column.expression } : {}),
  };
}

function expandRelation(
  relation: Relation,
  modifier: { except: string[]; replace: string[] },
  line: number,
): AnalyzedColumn[] {
  // `*` over UNNEST or a table function (EXTERNAL_QUERY, FLATTEN): names unknown, sources those of its input.
  if (relation.kind === "value") {
    const { sources, expression } = relation.origin;
    return [
      {
        name: UNKNOWN_COLUMNS,
        line,
        transform: "unknown",
        sources: [...sources],
        ...(expression ? { expression } : {}),
      },
    ];
  }
  if (relation.kind === "base") {
    const star = { table: relation.id, except: modifier.except, replace: modifier.replace };
    return [{ name: "*", line, transform: "passthrough", sources: [], star }];
  }
  return relation.columns.flatMap((column): AnalyzedColumn[] => {
    if (column.star) {
      const star = {
        ...column.star,
        except: [...new Set([...column.star.except, ...modifier.except])],
        replace: [...new Set([...column.star.replace, ...modifier.replace])],
      };
      return [{ ...column, star }];
    }
    if (modifier.except.includes(column.name)) return [];
    if (modifier.replace.includes(column.name))
      return [{ name: column.name, line, transform: "unknown", sources: [] }];
    return [columnFromReference(column.name, originOf(column), line)];
  });
}

/**
 * `*` or `alias.*`: columns of the relations in scope. A real table's columns are not known yet, so it
 * becomes a placeholder the cross-file pass expands; `* EXCEPT/EXCLUDE/REPLACE` lists (lifted out before
 * parsing) travel with it.
 */
export function expandStar(item: AstNode, expr: AstNode, scope: Scope, ctx: QueryContext): AnalyzedColumn[] {
  const loc = locationOf(item) ?? locationOf(expr);
  const line = ctx.lineOf(loc?.line ?? 1);
  const start = loc?.start ?? -1;
  const end = loc?.end ?? -1;
  const mods = ctx.starModifiers.filter((m) => m.offset >= start && m.offset <= end);
  const modifier = {
    except: mods.filter((m) => m.kind === "except").flatMap((m) => m.columns),
    replace: mods.filter((m) => m.kind === "replace").flatMap((m) => m.columns),
  };
  const qualifier = nameOf(expr.table)?.toLowerCase();
  const entries = qualifier ? [entryFor(scope, qualifier)].filter((e) => e !== undefined) : scope.entries;
  if (qualifier && entries.length === 0) return structFields(qualifier, scope, ctx, line);
  return entries.flatMap((e) => expandRelation(e.relation, modifier, line));
}

/**
 * `s.*` where `s` names no relation: the fields of a struct column `s` (BigQuery), whose names are not
 * known here. One unknown column that reads `s` stands for them, so the table's column list is never taken
 * as complete (it was empty, and columns read from it downstream looked invented).
 */
function structFields(qualifier: string, scope: Scope, ctx: QueryContext, line: number): AnalyzedColumn[] {
  const origin = resolveColumn(scope, undefined, qualifier, line);
  ctx.warnings.push({
    line,
    message: `${qualifier}.* expands the fields of ${qualifier}, which names no table here (a struct column?); their names are unknown`,
  });
  return [
    {
      name: UNKNOWN_COLUMNS,
      line,
      transform: "unknown",
      sources: origin ? [...origin.sources] : [],
      expression: `${qualifier}.*`,
    },
  ];
}
