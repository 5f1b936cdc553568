import { describe, expect, it } from "vitest";
import {
  lastCompletedPeriod,
  previousReviewPeriod,
  reviewIssueIdentity,
  reviewPeriodOf,
} from "../../../src/core/review/review-period.js";

const at = (iso: string) => new Date(iso);

describe("reviewPeriodOf", () => {
  it.each([
    ["weekly", "2026-12-06T21:00:00Z", "2026-W49", "2026-11-30T00:00:00.000Z", "2026-12-07T00:00:00.000Z"],
    ["weekly", "2027-01-01T00:00:00Z", "2026-W53", "2026-12-28T00:00:00.000Z", "2027-01-04T00:00:00.000Z"],
    ["weekly", "2026-01-01T12:00:00Z", "2026-W01", "2025-12-29T00:00:00.000Z", "2026-01-05T00:00:00.000Z"],
    [
      "monthly",
      "2026-12-31T23:59:59.999Z",
      "2026-12",
      "2026-12-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
    ],
    ["monthly", "2026-02-01T00:00:00Z", "2026-02", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"],
    ["quarterly", "2026-11-15T00:00:00Z", "2026-Q4", "2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
    [
      "quarterly",
      "2026-03-31T23:00:00-05:00",
      "2026-Q2",
      "2026-04-01T00:00:00.000Z",
      "2026-07-01T00:00:00.000Z",
    ],
  ] as const)("%s period of %s is %s in UTC", (cadence, when, key, start, end) => {
    const p = reviewPeriodOf(cadence, at(when));
    expect(p.key).toBe(key);
    expect(p.start.toISOString()).toBe(start);
    expect(p.end.toISOString()).toBe(end);
    expect(p.start <= at(when) && at(when) < p.end).toBe(true);
  });

  it("gives every instant of one period the same key and issue identity (idempotency)", () => {
    const first = reviewPeriodOf("monthly", at("2026-11-01T00:00:00Z"));
    const last = reviewPeriodOf("monthly", at("2026-11-30T23:59:59.999Z"));
    expect(last.key).toBe(first.key);
    expect(reviewIssueIdentity(last)).toEqual(reviewIssueIdentity(first));
    expect(reviewIssueIdentity(first).marker).toBe("<!-- backflow:review 2026-11 -->");
    expect(reviewIssueIdentity(reviewPeriodOf("monthly", at("2026-12-01T00:00:00Z"))).marker).not.toBe(
      reviewIssueIdentity(first).marker,
    );
  });

  it("steps back one period, and reports on the last completed one", () => {
    expect(previousReviewPeriod(reviewPeriodOf("quarterly", at("2026-01-10T00:00:00Z"))).key).toBe("2025-Q4");
    expect(previousReviewPeriod(reviewPeriodOf("weekly", at("2026-01-01T00:00:00Z"))).key).toBe("2025-W52");
    expect(lastCompletedPeriod("monthly", at("2026-12-06T21:00:00Z")).key).toBe("2026-11");
  });
});
