import { z } from "zod";

export const ReviewCadenceSchema = z.enum(["weekly", "monthly", "quarterly"]);
export type ReviewCadence = z.infer<typeof ReviewCadenceSchema>;

/** One review period, in UTC: `[start, end)`. The key names the period and identifies its review issue. */
export type ReviewPeriod = {
  readonly cadence: ReviewCadence;
  /** `2026-W49` (ISO week), `2026-12` or `2026-Q4`. */
  readonly key: string;
  readonly start: Date;
  readonly end: Date;
};

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, "0");

function isoWeek(at: Date): { year: number; week: number; monday: Date } {
  const day = (at.getUTCDay() + 6) % 7; // Monday 0
  const monday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - day));
  const thursday = new Date(monday.getTime() + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return { year, week, monday };
}

/**
 * The period of `cadence` that contains `at` (UTC). Two runs in one period get the same key, so the
 * review issue of that period is found again and updated, never duplicated.
 * @example reviewPeriodOf("monthly", new Date("2026-12-06T21:00:00Z")).key === "2026-12"
 */
export function reviewPeriodOf(cadence: ReviewCadence, at: Date): ReviewPeriod {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  if (cadence === "weekly") {
    const { year, week, monday } = isoWeek(at);
    return {
      cadence,
      key: `${year}-W${pad(week)}`,
      start: monday,
      end: new Date(monday.getTime() + 7 * DAY),
    };
  }
  if (cadence === "monthly") {
    return {
      cadence,
      key: `${y}-${pad(m + 1)}`,
      start: new Date(Date.UTC(y, m, 1)),
      end: new Date(Date.UTC(y, m + 1, 1)),
    };
  }
  const q = Math.floor(m / 3);
  return {
    cadence,
    key: `${y}-Q${q + 1}`,
    start: new Date(Date.UTC(y, q * 3, 1)),
    end: new Date(Date.UTC(y, q * 3 + 3, 1)),
  };
}

/** The period just before `period`. */
export function previousReviewPeriod(period: ReviewPeriod): ReviewPeriod {
  return reviewPeriodOf(period.cadence, new Date(period.start.getTime() - 1));
}

/** The last period that has ended by `now`: what a scheduled review reports on. */
export function lastCompletedPeriod(cadence: ReviewCadence, now: Date): ReviewPeriod {
  return previousReviewPeriod(reviewPeriodOf(cadence, now));
}

/** The hidden marker and title of a period's review issue: one issue per repository and period key. */
export function reviewIssueIdentity(period: Pick<ReviewPeriod, "key" | "cadence">): {
  marker: string;
  title: string;
} {
  return {
    marker: `<!-- backflow:review ${period.key} -->`,
    title: `Backflow ${period.cadence} review ${period.key}`,
  };
}
