import { z } from "zod";

/** A line in the file the user wrote (1-based). */
const Line = z.number().int().min(1);

export const ContractColumnSchema = z.strictObject({
  name: z.string(),
  type: z.string().optional().describe("Logical type (ODCS logicalType, or derived from the dbt data_type)."),
  physicalType: z
    .string()
    .optional()
    .describe("Warehouse type as written (ODCS physicalType, dbt data_type)."),
  description: z.string().optional(),
  required: z.boolean().describe("The producer promises no nulls."),
  unique: z.boolean(),
  primaryKey: z.boolean(),
  allowedValues: z.array(z.string()).optional(),
  minimum: z.number().optional().describe("Closed lower bound (ODCS logicalTypeOptions.minimum)."),
  maximum: z.number().optional().describe("Closed upper bound."),
  exclusiveMinimum: z.number().optional().describe("Open lower bound (values must be greater)."),
  exclusiveMaximum: z.number().optional().describe("Open upper bound (values must be less)."),
  minLength: z.number().optional(),
  maxLength: z.number().optional(),
  pattern: z.string().optional(),
  format: z.string().optional().describe("ODCS/DCS `format` (email, uuid, date-time, …)."),
  precision: z.number().optional().describe("Total digits of a decimal (ODCS/DCS `precision`)."),
  scale: z.number().optional().describe("Digits after the decimal point (ODCS/DCS `scale`)."),
  classification: z.string().optional(),
  renamedFrom: z
    .string()
    .optional()
    .describe(
      "The column's previous name, when the contract says so (customProperties renamedFrom, dbt meta).",
    ),
  tested: z
    .array(z.string())
    .optional()
    .describe(
      "dbt tests on the column that are not constraints (not_null, unique): checked, not guaranteed.",
    ),
  line: Line,
});
export type ContractColumn = z.infer<typeof ContractColumnSchema>;

/** Threshold value of a rule: a number, a `[low, high]` pair, or text (SQL query, expression). */
export const RuleValueSchema = z.union([z.number(), z.tuple([z.number(), z.number()]), z.string()]);
export type RuleValue = z.infer<typeof RuleValueSchema>;

export const ContractRuleSchema = z.strictObject({
  id: z.string().optional(),
  column: z.string().optional().describe("Absent for dataset-level rules."),
  metric: z.string().describe("ODCS library metric (nullValues, rowCount, …), `sql`, a dbt test name, …"),
  operator: z
    .string()
    .describe("mustBe, mustBeLessThan, …; `query`/`expression`/`passes` for non-numeric rules."),
  value: RuleValueSchema,
  arguments: z.record(z.string(), z.unknown()).optional(),
  severity: z.string().optional(),
  line: Line,
});
export type ContractRule = z.infer<typeof ContractRuleSchema>;

export const FreshnessSchema = z.strictObject({
  value: z.number(),
  unit: z.string(),
  element: z.string().optional(),
  line: Line,
});
export type Freshness = z.infer<typeof FreshnessSchema>;

/** An ODCS/DCS service level other than freshness: availability, retention, frequency, … */
export const SlaSchema = z.strictObject({
  property: z
    .string()
    .describe("Lower-case ODCS slaProperties property (availability, retention, frequency, …)."),
  value: z.union([z.number(), z.string()]),
  unit: z.string().optional(),
  line: Line,
});
export type Sla = z.infer<typeof SlaSchema>;

export const ContractDatasetSchema = z.strictObject({
  name: z.string().describe("The dataset's name in the contract (ODCS schema[].name, dbt model name)."),
  physicalName: z.string().optional(),
  tableId: z.string().describe("The lineage table id this dataset is bound to (see bind-contract.ts)."),
  bindingHint: z
    .string()
    .optional()
    .describe("Table named by the contract itself (ODCS customProperties backflowTable / dbtModel)."),
  description: z.string().optional(),
  line: Line,
  columns: z.array(ContractColumnSchema),
  rules: z.array(ContractRuleSchema),
  freshness: FreshnessSchema.optional(),
  slas: z.array(SlaSchema).optional(),
});
export type ContractDataset = z.infer<typeof ContractDatasetSchema>;

export const ContractSchema = z
  .strictObject({
    id: z.string(),
    format: z.enum(["odcs", "dbt", "dcs"]).describe("dcs: Data Contract Specification (datacontract.yaml)."),
    file: z.string(),
    version: z.string().optional(),
    versionLine: Line.optional().describe("Line of `version:`, where a missing bump is annotated."),
    status: z.string().optional(),
    datasets: z.array(ContractDatasetSchema),
    owners: z.array(z.string()).describe('GitHub handles: "@user" or "@org/team".'),
    dbt: z
      .strictObject({
        model: z.string(),
        version: z.string().optional().describe("The model version (`v:`) this contract is for."),
        latestVersion: z.string().optional(),
        materialized: z.string().optional(),
        enforcesConstraints: z
          .boolean()
          .describe("Whether the model declares constraints (model- or column-level) dbt enforces."),
      })
      .optional()
      .describe("dbt model facts the lifecycle rules need (versions, materialization)."),
  })
  .describe("A data contract in Backflow's format-independent form (from ODCS v3 or a dbt model contract).");
export type Contract = z.infer<typeof ContractSchema>;

export const ContractDiagnosticSchema = z.strictObject({
  file: z.string(),
  line: Line,
  severity: z.enum(["warning", "error"]),
  path: z
    .string()
    .optional()
    .describe("Dotted key path inside the file, e.g. schema.0.properties.2.required."),
  message: z.string(),
});
export type ContractDiagnostic = z.infer<typeof ContractDiagnosticSchema>;

const GITHUB_HANDLE = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9_.-]+)?$/;

/**
 * Keeps the values that are GitHub handles ("@user", "@org/team"), trimmed and de-duplicated in order.
 * Names and emails in contracts cannot be mentioned or assigned on GitHub, so they are dropped.
 */
export function githubHandles(values: readonly unknown[]): string[] {
  const handles: string[] = [];
  for (const value of values) {
    if (typeof value !== "string") continue;
    const handle = value.trim();
    if (GITHUB_HANDLE.test(handle) && !handles.includes(handle)) handles.push(handle);
  }
  return handles;
}
