import { afterEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { publishReview, REVIEW_LABEL } from "../../../src/github/review/publish-review.js";
import {
  ensureReviewScheduled,
  REVIEW_SCHEDULE_KEY,
  reviewRunKey,
} from "../../../src/github/review/review-job.js";
import {
  type CanaryWorld,
  canaryConfig,
  canaryWorld,
  OWNER,
  REPO,
  worldTarget,
} from "../canary/canary-harness.js";

const NOW = new Date("2026-03-01T00:05:00Z");
let world: CanaryWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function publish(config: string) {
  world = await canaryWorld({ start: NOW, config, merges: [] });
  const w = world;
  await w.store.audit.record({
    at: new Date("2026-02-10T00:00:00Z"),
    actor: "backflow",
    action: "drift.created",
    repo: repoKeyOf(OWNER, REPO),
    target: "f".repeat(64),
    detail: { issue: 41 },
  });
  return publishReview(await worldTarget(w));
}

const reviewIssues = (w: CanaryWorld) =>
  [...w.github.issues.values()].filter((i) => i.labels.includes(REVIEW_LABEL));

describe("publishReview", () => {
  it("does nothing and schedules nothing under `review: off`", async () => {
    expect(await publish(canaryConfig("review: off\n"))).toEqual({ action: "off" });
    expect(reviewIssues(world as CanaryWorld)).toEqual([]);
    expect(await world?.store.jobs.list({ kind: "review" })).toEqual([]);
  });

  it("reviews by the cadence configured: a weekly review of the last ISO week", async () => {
    const result = await publish(canaryConfig("review: weekly\n"));
    // 2026-03-01 is the Sunday of W09: the last week that ended is W08 (Feb 16–22), with #41 still open.
    expect(result).toMatchObject({
      action: "created",
      period: "2026-W08",
      next: new Date("2026-03-02T00:00:00Z"),
    });
    expect(reviewIssues(world as CanaryWorld).map((i) => i.title)).toEqual([
      "Backflow weekly review 2026-W08",
    ]);
  });

  it("runs on the defaults (monthly) when the config is invalid on the default branch", async () => {
    const result = await publish("signals: { thresholds: 7 }\n");
    expect(result).toMatchObject({
      action: "created",
      period: "2026-02",
      next: new Date("2026-04-01T00:00:00Z"),
    });
    const [issue] = reviewIssues(world as CanaryWorld);
    expect(issue?.title).toBe("Backflow monthly review 2026-02");
    expect(issue?.body).toContain("| #41 |");
  });

  it("keeps one pending run: scheduling again before it is due queues nothing", async () => {
    world = await canaryWorld({ start: NOW, config: canaryConfig(), merges: [] });
    const store = world.store;
    const ensure = (now: Date) =>
      ensureReviewScheduled({ store, repo: `${OWNER}/${REPO}`, review: "monthly", now });
    expect(await ensure(NOW)).toBe(true);
    expect(await ensure(new Date(NOW.getTime() - 1))).toBe(false);
    expect((await store.jobs.list({ kind: "review" })).map((j) => j.runAt)).toEqual([NOW]);
  });

  it("queues one run per period however the schedule record reads: the job's key names the period", async () => {
    world = await canaryWorld({ start: NOW, config: canaryConfig(), merges: [] });
    const store = world.store;
    const repo = `${OWNER}/${REPO}`;
    expect(await ensureReviewScheduled({ store, repo, review: "monthly", now: NOW })).toBe(true);
    // Two callers that both read no pending run (a race, or a record left stale): still one run of 2026-02.
    const stale = new Date(NOW.getTime() - 86_400_000);
    await store.repoState.put({
      repo: repoKeyOf(repo),
      key: REVIEW_SCHEDULE_KEY,
      value: { runAt: stale.toISOString() },
      now: NOW,
    });
    const later = new Date(NOW.getTime() + 3_600_000);
    expect(await ensureReviewScheduled({ store, repo, review: "monthly", now: later })).toBe(false);
    const jobs = await store.jobs.list({ kind: "review" });
    expect(jobs.map((j) => j.idempotencyKey)).toEqual([reviewRunKey("acme/shop", "2026-02")]);
    // `review: off` schedules nothing.
    expect(await ensureReviewScheduled({ store, repo, review: "off", now: later })).toBe(false);
  });
});
