import { z } from "zod";
import { SeveritySchema } from "../signals/signal-schema.js";

/** One judged observation of a fingerprint, as the store keeps it: the history triage reads. */
export const EvaluationSchema = z.strictObject({
  observedAt: z.iso.datetime({ offset: true }),
  metric: z.string().describe("The metric name the value was measured in."),
  value: z.number().optional(),
  unit: z
    .string()
    .optional()
    .describe("The value's unit as the signal sent it, so readers can convert (percent → fraction)."),
  breached: z.boolean(),
  /** A breach an annotation explained: recorded, but it neither opens nor keeps open a finding. */
  expected: z.boolean().default(false),
  severity: SeveritySchema,
  /** The sender said it recovered (Alertmanager resolved, a passing check): a recovery on its own. */
  resolvedBySource: z.boolean().optional(),
  signalId: z.string().optional(),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;
export type EvaluationInput = z.input<typeof EvaluationSchema>;
