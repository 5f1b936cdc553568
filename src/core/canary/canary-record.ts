import { z } from "zod";
import { MetricKindSchema } from "../config/schema.js";
import type { ImpactReport } from "../impact/impact-report.js";
import type { CanaryReport, CanaryWatch } from "./decide-canary.js";

export type { CanaryWatch } from "./decide-canary.js";

export const CanaryWatchSchema = z.strictObject({
  tableId: z.string().min(1),
  column: z.string().min(1).optional().describe("Absent: the whole table (row counts, freshness)."),
});

/** A finding whose history holds signals about a watched column: where the canary reads its series. */
export const CanarySeriesRefSchema = z.strictObject({
  fingerprint: z.string().min(1),
  tableId: z.string().min(1),
  column: z.string().min(1).optional(),
  metric: z.string().min(1),
  kind: MetricKindSchema,
});
export type CanarySeriesRef = z.infer<typeof CanarySeriesRefSchema>;

/** A canary's outcome: `watching` while its window runs and nothing regressed. */
export const CanaryStateSchema = z.enum(["watching", "clean", "regressed", "no-signal"]);
export type CanaryState = z.infer<typeof CanaryStateSchema>;

/** The canary's id: one per repository and pull request. */
export const canaryIdOf = (repo: string, pr: number) => `${repo.toLowerCase()}#${pr}`;

/**
 * What a merged pull request's canary watches: every column (or table, where only table lineage
 * reaches) its impact report named, changed and downstream (contracted tables are among them); a
 * table whose rows the change shapes differently is watched whole (its row count, every column).
 * Removed tables and columns are left out: nothing will be measured on them again.
 * @example watchedOfImpact(report) // [{ tableId: "fct_orders", column: "revenue" }, …]
 */
export function watchedOfImpact(report: ImpactReport): CanaryWatch[] {
  const removed = new Set(
    report.changes
      .filter((c) => c.kind === "table_removed" || c.kind === "column_removed")
      .map((c) => c.id.toLowerCase()),
  );
  const seen = new Map<string, CanaryWatch>();
  const add = (tableId: string, column?: string) => {
    const key = (column ? `${tableId}.${column}` : tableId).toLowerCase();
    if (removed.has(key) || removed.has(tableId.toLowerCase()) || seen.has(key)) return;
    seen.set(key, column ? { tableId, column } : { tableId });
  };
  // A change of which rows a table holds (filter, join, group key) shows in its row count: the table is watched whole.
  const whole = new Set(report.rowLevel.map((r) => r.table.toLowerCase()));
  for (const t of report.rowLevel) add(t.table);
  for (const a of report.affected) if (!whole.has(a.table.toLowerCase())) add(a.table, a.column);
  for (const c of report.changes) if (!whole.has(c.table.toLowerCase())) add(c.table, c.column);
  return [...seen.values()].sort(
    (a, b) => a.tableId.localeCompare(b.tableId) || (a.column ?? "").localeCompare(b.column ?? ""),
  );
}

/**
 * The outcome of a canary report: a regression attributed to the merge wins; a window where no
 * watched column had a point after the merge is `no-signal` (never called clean); otherwise clean.
 */
export function canaryOutcomeOf(report: CanaryReport): Exclude<CanaryState, "watching"> {
  if (report.results.some((r) => r.verdict === "regression")) return "regressed";
  if (report.results.every((r) => r.verdict === "no-signal")) return "no-signal";
  return "clean";
}

/** Whether a canary watches a finding on `tableId` (and `column`): the column itself, or its whole table. */
export function canaryWatches(
  watched: readonly CanaryWatch[],
  tableId: string,
  column: string | undefined,
): boolean {
  const t = tableId.toLowerCase();
  const c = column?.toLowerCase();
  return watched.some(
    (w) =>
      w.tableId.toLowerCase() === t &&
      (w.column === undefined ? true : c !== undefined && w.column.toLowerCase() === c),
  );
}
