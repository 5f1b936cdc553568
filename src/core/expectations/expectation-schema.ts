import { z } from "zod";

export const ComparisonOperatorSchema = z.enum([">=", "<=", ">", "<", "=="]);
export type ComparisonOperator = z.infer<typeof ComparisonOperatorSchema>;

export const ExpectationSchema = z
  .strictObject({
    /** 1-based line in the pull request body, for error messages. */
    line: z.number().int().min(1),
    text: z.string().describe("The expectation as written, after `- metric:`."),
    metric: z.string().min(1).describe("The metric or metric family named, e.g. completeness or null_rate."),
    target: z
      .string()
      .min(1)
      .describe("`dataset[.column]` as written; validation resolves it against the lineage."),
    dataset: z.string().min(1).describe("The dataset when the last dotted part of the target is the column."),
    column: z.string().min(1).optional(),
    condition: z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("compare"), operator: ComparisonOperatorSchema, value: z.number() }),
      z.strictObject({ type: z.literal("baseline"), tolerance: z.number().min(0).describe("0.05 for 5%") }),
    ]),
    mode: z.enum(["within", "for"]).describe("within: must hold by the deadline; for: must hold throughout."),
    duration: z.string(),
    durationMs: z.number().int().positive(),
  })
  .describe("A hypothesis a merged pull request states about a metric, checked against later signals.");
export type Expectation = z.infer<typeof ExpectationSchema>;

export const ExpectationStateSchema = z.enum(["watching", "met", "violated", "inconclusive"]);
export type ExpectationState = z.infer<typeof ExpectationStateSchema>;

export const EvidencePointSchema = z.strictObject({
  observedAt: z.string(),
  value: z.number(),
  holds: z.boolean(),
});
export type EvidencePoint = z.infer<typeof EvidencePointSchema>;

export const ExpectationVerdictSchema = z.strictObject({
  state: ExpectationStateSchema,
  reason: z.string(),
  baseline: z.number().optional(),
  evidence: z.array(EvidencePointSchema),
});
export type ExpectationVerdict = z.infer<typeof ExpectationVerdictSchema>;

/** A problem in an `expects:` block, with the line of the pull request body it is on. */
export type ExpectationProblem = { readonly line: number; readonly message: string };
