import { z } from "zod";

/** A column of a table, as `table.column` parts. Table ids are lower-case and dot-joined as written. */
export const ColumnRefSchema = z.strictObject({ table: z.string(), column: z.string() });
export type ColumnRef = z.infer<typeof ColumnRefSchema>;

export const TransformSchema = z
  .enum(["passthrough", "rename", "expression", "aggregate", "window", "constant", "unknown"])
  .describe(
    "passthrough: same name, no change; rename: same value, new name; expression: computed; aggregate: under GROUP BY or an aggregate function; window: a window function (sources include PARTITION BY / ORDER BY columns); constant: no source column; unknown: could not be analysed.",
  );
export type Transform = z.infer<typeof TransformSchema>;

export const LineageColumnSchema = z.strictObject({
  name: z.string(),
  line: z.number().int().min(1).describe("Line of the expression in the file the user wrote (1-based)."),
  transform: TransformSchema,
  sources: z.array(ColumnRefSchema),
  expression: z
    .string()
    .optional()
    .describe("The SQL text of the expression, when it is not a plain column."),
});
export type LineageColumn = z.infer<typeof LineageColumnSchema>;

/** A column that shapes which rows a table has (filter, join key, group key) rather than a value. */
export const RowSourceSchema = z.strictObject({
  table: z.string(),
  column: z.string(),
  role: z.enum(["filter", "join", "group"]),
  line: z.number().int().min(1),
});
export type RowSource = z.infer<typeof RowSourceSchema>;

export const LineageTableSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(["model", "table", "view", "source"]),
  file: z.string().optional().describe("Absent for sources and tables no file in the repository produces."),
  line: z.number().int().min(1).optional(),
  confidence: z.enum(["column", "table-only"]),
  upstream: z.array(z.string()),
  columns: z.array(LineageColumnSchema),
  rowSources: z.array(RowSourceSchema).default([]),
});
export type LineageTable = z.infer<typeof LineageTableSchema>;

export const DiagnosticSchema = z.strictObject({
  file: z.string(),
  line: z.number().int().min(1),
  severity: z.enum(["warning", "error"]),
  message: z.string(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const LineageGraphSchema = z
  .strictObject({
    version: z.literal(1),
    tables: z.array(LineageTableSchema),
    diagnostics: z.array(DiagnosticSchema),
  })
  .describe("Column-level lineage of a pipeline repository, as printed by `backflow lineage --json`.");
export type LineageGraph = z.infer<typeof LineageGraphSchema>;
