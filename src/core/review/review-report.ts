import { z } from "zod";
import { ReviewCadenceSchema } from "./review-period.js";

const Iso = z.iso.datetime({ offset: true });

/** Median and 90th percentile of durations in hours; null when there was nothing to measure. */
export const DurationStatsSchema = z.strictObject({
  count: z.number().int().nonnegative(),
  medianHours: z.number().nullable(),
  p90Hours: z.number().nullable(),
});
export type DurationStats = z.infer<typeof DurationStatsSchema>;

export const ReviewReportSchema = z
  .strictObject({
    repo: z.string(),
    period: z.strictObject({ cadence: ReviewCadenceSchema, key: z.string(), start: Iso, end: Iso }),
    marker: z.string().describe("Hidden marker of the period's review issue: one issue per period key."),
    title: z.string(),
    findings: z.strictObject({
      opened: z.number().int().nonnegative(),
      reopened: z.number().int().nonnegative(),
      resolved: z.number().int().nonnegative(),
      stillOpen: z.number().int().nonnegative().describe("Open at the end of the period."),
      issues: z
        .array(
          z.strictObject({
            fingerprint: z.string(),
            issue: z.number().int().nullable(),
            target: z.string().describe("table.column (or dataset) and metric"),
            event: z.enum(["opened", "reopened", "resolved", "still-open"]),
            at: Iso.nullable(),
          }),
        )
        .describe("Per finding, what happened to it in the period."),
    }),
    timeToDetect: DurationStatsSchema.extend({
      unknown: z
        .number()
        .int()
        .nonnegative()
        .describe("Findings opened in the period whose causing change is not recorded."),
    }),
    timeToResolve: DurationStatsSchema,
    resolveBuckets: z.array(z.strictObject({ label: z.string(), count: z.number().int().nonnegative() })),
    findingsPerWeek: z.array(z.strictObject({ week: z.string(), count: z.number().int().nonnegative() })),
    expectations: z.strictObject({
      met: z.number().int().nonnegative(),
      violated: z.number().int().nonnegative(),
      inconclusive: z.number().int().nonnegative(),
      watching: z.number().int().nonnegative().describe("Still watched at the end of the period."),
    }),
    reverts: z.strictObject({
      opened: z.number().int().nonnegative(),
      merged: z.number().int().nonnegative().nullable().describe("null: merges of reverts are not recorded."),
      prs: z.array(
        z.strictObject({ pr: z.number().int(), revertPr: z.number().int(), merged: z.boolean().nullable() }),
      ),
    }),
    canaries: z
      .strictObject({
        clean: z.number().int().nonnegative(),
        regressed: z.number().int().nonnegative(),
        noSignal: z.number().int().nonnegative(),
        watching: z.number().int().nonnegative().describe("Windows still running at the end of the period."),
        regressions: z
          .array(z.strictObject({ pr: z.number().int(), summary: z.string(), evidence: z.array(z.string()) }))
          .describe("Canaries whose window ended in the period with a regression attributed to the merge."),
      })
      .nullable()
      .describe("Post-merge canaries whose window ended in the period, by outcome; null: not read."),
    criedWolf: z.array(
      z.strictObject({
        fingerprint: z.string(),
        issue: z.number().int(),
        metric: z.string(),
        closedBy: z.string(),
        closedAt: Iso,
        old: z.string(),
        learned: z.string(),
      }),
    ),
    closedNothingLearned: z.number().int().nonnegative(),
    annotationsUsed: z.array(
      z.strictObject({
        id: z.string(),
        uses: z.number().int().positive(),
        kind: z.string().nullable(),
        dataset: z.string().nullable(),
        note: z.string().nullable(),
      }),
    ),
    upstream: z.array(
      z.strictObject({
        file: z.string(),
        tables: z.array(z.string()),
        findings: z.number().int().positive(),
        owners: z.array(z.string()).nullable().describe("null: no owners known for these tables."),
      }),
    ),
    breakingAcknowledged: z.array(
      z.strictObject({
        pr: z.number().int(),
        by: z.string(),
        at: Iso,
        mergedAt: Iso.nullable().describe(
          "null: the merge is not recorded (only pull requests with `expects:` are).",
        ),
      }),
    ),
    changesSinceLast: z.array(z.string()).describe("Sentences comparing with the previous period's review."),
    notRecorded: z.array(z.string()).describe("Figures the store does not keep, named rather than invented."),
  })
  .describe("The recurring review of one repository's feedback loop over one period.");
export type ReviewReport = z.infer<typeof ReviewReportSchema>;
