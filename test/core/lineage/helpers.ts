import { parseConfig } from "../../../src/core/config/parse-config.js";
import type { Dialect } from "../../../src/core/config/schema.js";
import { lineageOf } from "../../../src/core/lineage/build-lineage.js";
import type { LineageGraph, LineageTable } from "../../../src/core/lineage/schema.js";

/** Lineage of plain SQL files under `models/`, keyed by file name without the folder. */
export function lineageOfSql(files: Record<string, string>, dialect: Dialect = "postgres"): LineageGraph {
  const map = new Map(Object.entries(files).map(([name, sql]) => [`models/${name}`, sql]));
  return lineageOf(map, parseConfig(`dialect: ${dialect}\nmodels:\n  paths: ["models/**/*.sql"]\n`));
}

export function tableOf(graph: LineageGraph, id: string): LineageTable {
  const table = graph.tables.find((t) => t.id === id);
  if (!table) throw new Error(`no table ${id} in ${graph.tables.map((t) => t.id).join(", ")}`);
  return table;
}

/** `name: transform <- t.c, t.d` for each column, to compare whole tables in one readable assertion. */
export function columnSummary(table: LineageTable): string[] {
  return table.columns.map(
    (c) => `${c.name}: ${c.transform} <- ${c.sources.map((s) => `${s.table}.${s.column}`).join(", ")}`,
  );
}
