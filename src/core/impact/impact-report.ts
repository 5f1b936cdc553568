import { z } from "zod";
import { ChangeClassSchema, ContractChangeSchema } from "../contracts/contract-change.js";

/** One step of a downstream path: a table (and column, for column-level hops) with where it is defined. */
export const HopSchema = z.strictObject({
  table: z.string(),
  column: z.string().optional(),
  file: z.string().optional(),
  line: z.number().int().min(1).optional(),
});
export type Hop = z.infer<typeof HopSchema>;

export const LineageChangeKindSchema = z.enum([
  "table_added",
  "table_removed",
  "table_renamed",
  "column_added",
  "column_removed",
  "column_renamed",
  "expression_changed",
  "transform_changed",
  "sources_changed",
  "columns_unknown",
]);
export type LineageChangeKind = z.infer<typeof LineageChangeKindSchema>;

export const SeverityLevelSchema = z
  .enum(["warn", "fail"])
  .describe(
    "From config impact.severity: `warn` reports a breaking change without blocking the pull request.",
  );

/** A change of the lineage graph between base and head, located in the file the pull request changed. */
export const LineageChangeSchema = z.strictObject({
  id: z
    .string()
    .describe("`table.column`, or `table` for table changes; the key `affected[].causes` refers to."),
  table: z.string(),
  column: z.string().optional(),
  kind: LineageChangeKindSchema,
  file: z.string(),
  line: z.number().int().min(1),
  class: ChangeClassSchema,
  severity: SeverityLevelSchema,
  message: z.string(),
  before: z.string().optional(),
  after: z.string().optional(),
});
export type LineageChange = z.infer<typeof LineageChangeSchema>;

/** A change of which rows a table holds (filters, join keys, group keys, or SQL outside column expressions). */
export const RowLevelChangeSchema = z.strictObject({
  id: z.string(),
  table: z.string(),
  file: z.string(),
  line: z.number().int().min(1),
  message: z.string(),
  added: z.array(z.string()).describe("`role table.column` entries that now shape the rows."),
  removed: z.array(z.string()),
});
export type RowLevelChange = z.infer<typeof RowLevelChangeSchema>;

export const AffectedSchema = z.strictObject({
  table: z.string(),
  column: z.string().optional().describe("Absent when only table-level lineage reaches this table."),
  file: z.string().optional(),
  changed: z
    .boolean()
    .describe("True for what the pull request changed itself; false for what is downstream."),
  via: z.enum(["change", "column", "row", "table"]),
  path: z.array(HopSchema).optional().describe("The shortest lineage path from a change to here."),
  causes: z.array(z.string()).describe("Ids of the changes that reach this table or column."),
  contracts: z.array(z.string()),
  owners: z.array(z.string()),
});
export type Affected = z.infer<typeof AffectedSchema>;

export const AffectedContractSchema = z.strictObject({
  id: z.string(),
  file: z.string(),
  version: z.string().optional(),
  tables: z.array(z.string()),
  owners: z.array(z.string()),
});
export type AffectedContract = z.infer<typeof AffectedContractSchema>;

export const ImpactDiagnosticSchema = z.strictObject({
  file: z.string(),
  line: z.number().int().min(1),
  severity: z.enum(["warning", "error"]),
  message: z.string(),
});

export const VerdictSchema = z
  .enum(["none", "non-breaking", "breaking"])
  .describe(
    "none: the pull request changes no lineage or contract; breaking includes undecided (unknown) changes.",
  );
export type Verdict = z.infer<typeof VerdictSchema>;

export const ImpactReportSchema = z
  .strictObject({
    version: z.literal(1),
    verdict: VerdictSchema,
    blocking: z
      .boolean()
      .describe("A breaking change under `fail` severity: needs an owner's acknowledgement to pass."),
    reasons: z.array(z.string()),
    changes: z.array(LineageChangeSchema),
    affected: z.array(AffectedSchema),
    contracts: z.array(AffectedContractSchema).describe("Contracts on a changed or downstream table."),
    contractChanges: z.array(ContractChangeSchema.extend({ severity: SeverityLevelSchema })),
    rowLevel: z.array(RowLevelChangeSchema),
    diagnostics: z.array(ImpactDiagnosticSchema),
  })
  .describe(
    "What a pull request changes in a pipeline's lineage and contracts, and who downstream is affected.",
  );
export type ImpactReport = z.infer<typeof ImpactReportSchema>;
export type ReportedContractChange = ImpactReport["contractChanges"][number];
