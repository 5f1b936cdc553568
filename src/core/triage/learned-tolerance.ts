import { z } from "zod";
import type { ResolvedThreshold, ThresholdRule } from "./thresholds.js";

/** The limits a tolerance talks about; each one optional, as in a threshold rule. */
export const BoundsSchema = z.strictObject({
  min: z.number().optional(),
  max: z.number().optional(),
  relative: z.number().optional(),
  zscore: z.number().optional(),
});
export type Bounds = z.infer<typeof BoundsSchema>;

/** What one drift issue closed as not planned taught Backflow about one metric of a finding. */
export const LearnedEntrySchema = z.strictObject({
  issue: z.number().int().positive().describe("The drift issue closed as not planned."),
  metric: z.string().describe("The metric the limits apply to (a fingerprint can hold several)."),
  closedBy: z.string(),
  closedAt: z.iso.datetime({ offset: true }),
  old: BoundsSchema.describe("The limits in force when the issue was closed."),
  worst: BoundsSchema.describe("Per limit, the worst value (relative change, |z|) seen past it."),
  learned: BoundsSchema.describe("The relaxed limits, just past the worst."),
  breaches: z.number().int().nonnegative().describe("How many breaching points were learned from."),
});
export type LearnedEntry = z.infer<typeof LearnedEntrySchema>;

/** The learned tolerance of one finding, as `store.repoState` keeps it under `learnedToleranceKey`. */
export const LearnedToleranceSchema = z.strictObject({
  fingerprint: z.string(),
  entries: z.array(LearnedEntrySchema),
});
export type LearnedTolerance = z.infer<typeof LearnedToleranceSchema>;

/** The repoState key of a finding's learned tolerance. */
export function learnedToleranceKey(fingerprint: string): string {
  return `learned-tolerance:${fingerprint}`;
}

/** The tolerance with `entry` recorded; an entry of the same issue is replaced (a redelivery, or a second close). */
export function withLearnedEntry(
  tolerance: LearnedTolerance | undefined,
  fingerprint: string,
  entry: LearnedEntry,
): LearnedTolerance {
  const others = (tolerance?.entries ?? []).filter((e) => e.issue !== entry.issue);
  return { fingerprint, entries: [...others, entry] };
}

/** The tolerance without what `issue` taught; undefined when nothing is left. */
export function withoutIssue(tolerance: LearnedTolerance, issue: number): LearnedTolerance | undefined {
  const entries = tolerance.entries.filter((e) => e.issue !== issue);
  return entries.length > 0 ? { ...tolerance, entries } : undefined;
}

/** The loosest learned limit of each kind for one metric: a min as low, the others as high as any entry. */
export function learnedBounds(entries: readonly LearnedEntry[], metric: string): Bounds {
  const pick = (key: keyof Bounds, loosest: (...values: number[]) => number) => {
    const values = entries.flatMap((e) =>
      e.metric === metric && e.learned[key] !== undefined ? [e.learned[key]] : [],
    );
    return values.length > 0 ? { [key]: loosest(...values) } : {};
  };
  return {
    ...pick("min", Math.min),
    ...pick("max", Math.max),
    ...pick("relative", Math.max),
    ...pick("zscore", Math.max),
  };
}

/**
 * The threshold after what people taught Backflow by closing drift issues as not planned: each limit
 * of the rule is relaxed to the learned one when that is looser (a lower min, a higher max, a wider
 * relative or z-score limit), never tightened. A limit the rule no longer has is not brought back,
 * and a value beyond the learned limit still breaches. `from` becomes "learned" only when something
 * was relaxed; `learnedOver` keeps the origin it relaxed.
 * @example applyLearnedTolerance(resolveThreshold(...), tolerance, "completeness")
 */
export function applyLearnedTolerance(
  resolved: ResolvedThreshold,
  tolerance: LearnedTolerance | undefined,
  metric: string,
): ResolvedThreshold {
  if (!tolerance || resolved.from === "learned") return resolved;
  const learned = learnedBounds(tolerance.entries, metric);
  const { rule } = resolved;
  const looser = (key: keyof Bounds, isLooser: (l: number, r: number) => boolean): Partial<ThresholdRule> => {
    const current = rule[key];
    const candidate = learned[key];
    return current !== undefined && candidate !== undefined && isLooser(candidate, current)
      ? { [key]: candidate }
      : {};
  };
  const relaxed: Partial<ThresholdRule> = {
    ...looser("min", (l, r) => l < r),
    ...looser("max", (l, r) => l > r),
    ...looser("relative", (l, r) => l > r),
    ...looser("zscore", (l, r) => l > r),
  };
  if (Object.keys(relaxed).length === 0) return resolved;
  return { ...resolved, rule: { ...rule, ...relaxed }, from: "learned", learnedOver: resolved.from };
}
