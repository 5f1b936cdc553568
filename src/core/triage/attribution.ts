import { z } from "zod";
import type { Evaluation } from "./evaluation-schema.js";
import type { Suspect } from "./find-suspects.js";

/** A merged pull request and the files it changed, as the caller knows it. */
export type MergedPullRequest = {
  readonly pr: number;
  readonly mergedAt: Date;
  readonly author: string | null;
  readonly files: readonly string[];
  /** An owner acknowledged it as a breaking change before it merged. */
  readonly acknowledgedBreaking?: boolean;
};

export const AttributedPullRequestSchema = z.strictObject({
  pr: z.number().int().positive(),
  mergedAt: z.iso.datetime({ offset: true }),
  author: z.string().nullable(),
  files: z.array(z.string()).describe("Upstream files of the drifting column it changed."),
  depth: z
    .number()
    .int()
    .min(0)
    .describe("Lineage hops from the drifting column to the nearest file it changed."),
  hoursBeforeBreach: z.number().min(0),
  acknowledgedBreaking: z.boolean(),
  canary: z
    .string()
    .optional()
    .describe("The post-merge canary's evidence: a regression of this column that started after the merge."),
});
export type AttributedPullRequest = z.infer<typeof AttributedPullRequestSchema>;

const DAY = 86_400_000;

/**
 * The merged pull requests that touched an upstream file of the drifting column (its suspects) in
 * the `lookbackDays` before the first breach, closest in lineage first (fewest hops from the column),
 * then closest in time (merged last before the breach), then by number. Pull requests merged after
 * the first breach cannot have caused it and are left out.
 * @example rankAttribution({ suspects, firstBreachAt, lookbackDays: 7, pullRequests })[0]?.pr
 */
export function rankAttribution(input: {
  readonly suspects: readonly Suspect[];
  readonly firstBreachAt: Date;
  readonly lookbackDays: number;
  readonly pullRequests: readonly MergedPullRequest[];
}): AttributedPullRequest[] {
  const depthOf = new Map<string, number>();
  for (const s of input.suspects) {
    if (!s.file) continue;
    depthOf.set(s.file, Math.min(depthOf.get(s.file) ?? Number.POSITIVE_INFINITY, s.depth));
  }
  const breach = input.firstBreachAt.getTime();
  const from = breach - input.lookbackDays * DAY;
  return input.pullRequests
    .flatMap((p) => {
      const t = p.mergedAt.getTime();
      if (t > breach || t < from) return [];
      const files = [...new Set(p.files.filter((f) => depthOf.has(f)))].sort(
        (a, b) => (depthOf.get(a) ?? 0) - (depthOf.get(b) ?? 0) || a.localeCompare(b),
      );
      if (files.length === 0) return [];
      return [
        {
          pr: p.pr,
          mergedAt: p.mergedAt.toISOString(),
          author: p.author,
          files,
          depth: Math.min(...files.map((f) => depthOf.get(f) ?? 0)),
          hoursBeforeBreach: Math.round(((breach - t) / 3_600_000) * 10) / 10,
          acknowledgedBreaking: p.acknowledgedBreaking ?? false,
        },
      ];
    })
    .sort((a, b) => a.depth - b.depth || a.hoursBeforeBreach - b.hoursBeforeBreach || a.pr - b.pr);
}

/**
 * When the current breach of a metric began: the first point of the unbroken run of breaching
 * points (annotated ones included) that ends at the newest point; the newest point's time when it is
 * not breaching; null without points.
 * @example firstBreachOf(history, "volume") // 2026-01-05T06:00:00.000Z
 */
export function firstBreachOf(history: readonly Evaluation[], metric: string): Date | null {
  const points = history
    .filter((e) => e.metric === metric)
    .sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));
  const last = points.at(-1);
  if (!last) return null;
  let first = last;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (!p?.breached) break;
    first = p;
  }
  return new Date(first.observedAt);
}

/** A merged pull request whose post-merge canary attributed a regression of the drifting column to it. */
export type CanaryAttribution = {
  readonly pr: number;
  readonly mergedAt: Date;
  readonly author: string | null;
  readonly evidence: string;
  readonly acknowledgedBreaking?: boolean;
};

/**
 * Puts the pull requests a canary attributed the regression to first (latest merge first), with
 * the canary's evidence, ahead of those ranked by lineage and time; a pull request in both lists
 * appears once, in front.
 */
export function withCanaryAttribution(
  ranked: readonly AttributedPullRequest[],
  canaries: readonly CanaryAttribution[],
  firstBreachAt: Date,
): AttributedPullRequest[] {
  const front = [...canaries]
    .sort((a, b) => b.mergedAt.getTime() - a.mergedAt.getTime() || a.pr - b.pr)
    .filter((c, i, all) => all.findIndex((x) => x.pr === c.pr) === i)
    .map((c): AttributedPullRequest => {
      const known = ranked.find((r) => r.pr === c.pr);
      return {
        pr: c.pr,
        mergedAt: c.mergedAt.toISOString(),
        author: c.author ?? known?.author ?? null,
        files: known?.files ?? [],
        depth: known?.depth ?? 0,
        hoursBeforeBreach:
          Math.round((Math.max(0, firstBreachAt.getTime() - c.mergedAt.getTime()) / 3_600_000) * 10) / 10,
        acknowledgedBreaking: (c.acknowledgedBreaking ?? false) || (known?.acknowledgedBreaking ?? false),
        canary: c.evidence,
      };
    });
  const inFront = new Set(front.map((f) => f.pr));
  return [...front, ...ranked.filter((r) => !inFront.has(r.pr))];
}
