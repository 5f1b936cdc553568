import { z } from "zod";
import { DiagnosticSchema, RowSourceSchema, TransformSchema } from "./schema.js";

/** Bump when the analysis of a file would change, so cached analyses from older versions are ignored. */
export const ANALYSIS_VERSION = 13;

/**
 * A column reference as one file sees it. When an unqualified column could come from several tables,
 * `candidates` lists them and the cross-file pass picks the one whose known columns contain it.
 */
export const SourceRefSchema = z.strictObject({
  table: z.string(),
  column: z.string(),
  candidates: z.array(z.string()).optional(),
  /** A branch of a union by name: a source only if the table has the column (decided when linking). */
  ifPresent: z.literal(true).optional(),
  /**
   * Read from an argument of an unknown macro's stand-in (`__backflow_macro_pivot__(color, red)`), whose
   * string arguments are only guessed to be columns: dropped when linking if the table's complete column
   * list lacks it.
   */
  guessed: z.literal(true).optional(),
});
export type SourceRef = z.infer<typeof SourceRefSchema>;

/** `SELECT *` / `t.*` over a table whose columns are only known after every file is analysed. */
export const StarSchema = z.strictObject({
  table: z.string(),
  except: z.array(z.string()),
  replace: z.array(z.string()),
  /** `SELECT * FROM a UNION ALL SELECT * FROM b`: the other branches' stars, merged by position. */
  union: z.array(z.strictObject({ table: z.string(), except: z.array(z.string()) })).optional(),
  /** The union matches columns by name (`UNION ALL BY NAME`, `dbt_utils.union_relations`), not by position. */
  byName: z.literal(true).optional(),
});
export type Star = z.infer<typeof StarSchema>;

export const AnalyzedColumnSchema = z.strictObject({
  name: z.string(),
  line: z.number().int().min(1),
  transform: TransformSchema,
  sources: z.array(SourceRefSchema),
  expression: z.string().optional(),
  /** Present on a `*` placeholder, expanded in the cross-file pass. */
  star: StarSchema.optional(),
});
export type AnalyzedColumn = z.infer<typeof AnalyzedColumnSchema>;

export const AnalyzedRowSourceSchema = RowSourceSchema.extend({ candidates: z.array(z.string()).optional() });
export type AnalyzedRowSource = z.infer<typeof AnalyzedRowSourceSchema>;

export const AnalyzedTableSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(["model", "table", "view"]),
  line: z.number().int().min(1),
  confidence: z.enum(["column", "table-only"]),
  upstream: z.array(z.string()),
  columns: z.array(AnalyzedColumnSchema),
  rowSources: z.array(AnalyzedRowSourceSchema),
});
export type AnalyzedTable = z.infer<typeof AnalyzedTableSchema>;

/** The per-file, cacheable result: everything the cross-file pass needs, and nothing it can recompute. */
export const FileAnalysisSchema = z.strictObject({
  version: z.literal(ANALYSIS_VERSION),
  /** Blob SHA or content hash of the file (and its render context), the cache key. */
  key: z.string(),
  path: z.string(),
  tables: z.array(AnalyzedTableSchema),
  diagnostics: z.array(DiagnosticSchema),
});
export type FileAnalysis = z.infer<typeof FileAnalysisSchema>;
