/**
 * A simulated quarter (Q1 2026) of one repository on the fake GitHub: a signal a day on
 * fct_orders.amount for 90 days of signal time, three merges of a model change, an annotation, drift
 * issues opened and closed by recovery, and every due job (canary window ends, the recurring review)
 * run by the job registry's handlers as the clock moves. It drives the post-merge canary, the
 * attribution of the drift issue and three monthly review issues.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canaryIdOf } from "../../../src/core/canary/canary-record.js";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { renderDashboard } from "../../../src/core/render/render-dashboard.js";
import { type LatestReview, publishReview, REVIEW_LABEL } from "../../../src/github/review/publish-review.js";
import { ensureReviewScheduled, LATEST_REVIEW_KEY } from "../../../src/github/review/review-job.js";
import { JOB_REGISTRY, workerJobsOf } from "../../../src/jobs/job-registry.js";
import { readGolden } from "../../golden/golden-file.js";
import { silentLog } from "../../helpers/probot.js";
import {
  type CanaryWorld,
  canaryConfig,
  canaryWorld,
  OWNER,
  plusHours,
  REPO,
  runJobs,
} from "../canary/canary-harness.js";

const T0 = new Date("2026-01-01T00:00:00Z");
const DAY = 24;
const day = (n: number) => plusHours(T0, n * DAY);
const MERGES = [
  { pr: 7, sha: "b7".repeat(20), mergedAt: day(9) }, // Jan 10: the amount drops 36% right after
  { pr: 8, sha: "b8".repeat(20), mergedAt: day(40) }, // Feb 10: nothing changes
  { pr: 9, sha: "b9".repeat(20), mergedAt: day(78) }, // Mar 20: merged two days into a drop
];
const REPO_KEY = repoKeyOf(OWNER, REPO);

/** The day's amount_sum: a regression after #7, an annotated dip on Mar 1–2, a drop from Mar 18 (before #9). */
function amountOn(d: number): number {
  if (d >= 9 && d <= 12) return 640;
  if (d === 59 || d === 60) return 600;
  if (d >= 76 && d <= 82) return 640;
  return 1000 + (d % 3) * 5;
}

let world: CanaryWorld;
const reviews: Array<{ number: number; title: string; body: string }> = [];

beforeAll(async () => {
  world = await canaryWorld({ start: T0, config: canaryConfig("review: monthly\n"), merges: MERGES });
  const registry = workerJobsOf(JOB_REGISTRY, {
    deps: { store: world.store, clock: () => world.now },
    log: silentLog(),
    octokitFor: async () => world.probot.auth(1),
  });
  const due = () => runJobs(world.store, registry, ["canary-window-end", "review"], () => world.now);
  // What the dashboard's first refresh does: a review run is pending from now on.
  await ensureReviewScheduled({ store: world.store, repo: `${OWNER}/${REPO}`, review: "monthly", now: T0 });
  await world.store.annotations.add({
    id: "ann-backfill",
    repo: REPO_KEY,
    dataset: "fct_*",
    kind: "maintenance",
    from: plusHours(day(59), -1).toISOString(),
    to: plusHours(day(61), 0).toISOString(),
    note: "payments backfill",
    author: "ops",
    createdAt: day(55).toISOString(),
  });
  for (let d = 0; d < 90; d++) {
    for (const m of MERGES)
      if (m.mergedAt.getTime() === day(d).getTime()) await world.merge({ ...m, at: m.mergedAt });
    await world.signal(`d${d}`, plusHours(day(d), 12), amountOn(d));
    await due();
  }
  world.now = new Date("2026-04-01T00:05:00Z");
  await due();
  for (const issue of world.github.issues.values())
    if (issue.labels.includes(REVIEW_LABEL))
      reviews.push({ number: issue.number, title: issue.title, body: issue.body });
}, 240_000);

afterAll(() => world.close());

describe("a simulated quarter", () => {
  it("attributes January's regression to #7 on the pull request and first among the drift issue's suspects", async () => {
    const onSeven = world.github.comments.filter((c) => c.issue === 7);
    expect(onSeven).toHaveLength(1);
    expect(onSeven[0]?.body).toContain("<!-- backflow:canary acme/shop#7 regression -->");
    expect(onSeven[0]?.body).toContain("`fct_orders.amount` `amount_sum` −36% since this merge");
    const january = [...world.github.issues.values()].find(
      (i) =>
        i.body.includes("amount_sum") &&
        i.body.includes("#### Suspect pull requests") &&
        i.body.includes("| #7 |"),
    );
    expect(january?.body).toMatch(
      /#### Suspect pull requests\n\n\| pull request .*\n\| --- .*\n\| #7 \|.*\*\*canary:\*\*/,
    );
    expect(await world.store.canaries.get(canaryIdOf(REPO_KEY, 7))).toMatchObject({
      state: "regressed",
      ended: true,
    });
  });

  it("ends #8's window clean and attributes neither the annotated dip nor the drop that began before #9", async () => {
    const eight = world.github.comments.filter((c) => c.issue === 8);
    expect(eight).toHaveLength(1);
    expect(eight[0]?.body).toContain(
      "**canary:** no regression on 1 watched column over 3 days; no signal for",
    );
    const nine = world.github.comments.filter((c) => c.issue === 9);
    expect(nine).toHaveLength(1);
    expect(nine[0]?.body).toContain("already breaching before the merge (not attributed)");
    expect(nine[0]?.body).not.toContain("regression since this merge");
    const states = await Promise.all(
      [7, 8, 9].map((pr) => world.store.canaries.get(canaryIdOf(REPO_KEY, pr))),
    );
    expect(states.map((c) => c?.state)).toEqual(["regressed", "clean", "clean"]);
    // The March drift issue names no pull request merged after its first breach.
    const march = [...world.github.issues.values()].filter((i) => i.body.includes("amount_sum")).at(-1);
    expect(march?.body).not.toContain("| #9 |");
  });

  it("opens one review issue per month, labelled, with the canaries of the month, matching the golden files", () => {
    expect(reviews.map((r) => r.title)).toEqual([
      "Backflow monthly review 2026-01",
      "Backflow monthly review 2026-02",
      "Backflow monthly review 2026-03",
    ]);
    for (const [i, key] of ["2026-01", "2026-02", "2026-03"].entries()) {
      const body = reviews[i]?.body ?? "";
      expect(body).toBe(readGolden(`review-quarter-${key}.md`, body));
      expect(body.startsWith(`<!-- backflow:review ${key} -->`)).toBe(true);
    }
    const [jan, feb, mar] = reviews.map((r) => r.body);
    expect(jan).toContain("| 0 clean, 1 regressed, 0 no signal |");
    // #7's canary recorded the cause: merged at 00:00, first breach at 12:00.
    expect(jan).toContain("| 1 | 0 | 1 | 0 | median 12 h, p90 12 h (1) |");
    // March's drop began before #9 and long after #7's window: its cause is unknown.
    expect(mar).toContain("| 0 | 1 | 1 | 0 | no data |");
    expect(jan).toContain("- #7: `fct_orders.amount` `amount_sum` −36% since this merge");
    expect(feb).toContain("| 1 clean, 0 regressed, 0 no signal |");
    expect(mar).toContain("| 1 clean, 0 regressed, 0 no signal |");
    expect(mar).toContain("| `ann-backfill` | maintenance | `fct_*` |");
    // Owners come from the repository (contracts, CODEOWNERS), as drift issues name them.
    expect(jan).toMatch(/\| `models\/marts\/fct_orders\.sql` \| `fct_orders` \| 1 \| `@[^|]+` \|/);
    expect(jan).not.toContain("Not recorded by the store");
  });

  it("is idempotent per period: a second run updates nothing and opens nothing", async () => {
    const before = world.github.requests.length;
    const octokit = await world.probot.auth(1);
    const again = await publishReview({
      octokit,
      deps: { store: world.store, clock: () => world.now },
      log: silentLog(),
      owner: OWNER,
      repo: REPO,
      repoKey: REPO_KEY,
    });
    expect(again).toMatchObject({ action: "unchanged", period: "2026-03", issue: reviews[2]?.number });
    expect(world.github.requests.slice(before).filter((r) => !r.startsWith("GET"))).toEqual([]);
    expect([...world.github.issues.values()].filter((i) => i.labels.includes(REVIEW_LABEL))).toHaveLength(3);
  });

  it("reschedules itself for the next period's end, and the dashboard links the latest review", async () => {
    const pending = await world.store.jobs.list({ kind: "review", state: "queued" });
    expect(pending.map((j) => j.runAt.toISOString())).toEqual(["2026-05-01T00:00:00.000Z"]);
    const latest = await world.store.repoState.get<LatestReview>({ repo: REPO_KEY, key: LATEST_REVIEW_KEY });
    expect(latest).toEqual({
      number: reviews[2]?.number,
      key: "2026-03",
      title: "Backflow monthly review 2026-03",
    });
    const { body } = renderDashboard(
      {
        findings: [],
        proposals: [],
        expectations: [],
        annotations: [],
        signals: [],
        latestReview: { number: 9, key: "2026-03" },
      },
      world.now,
    );
    expect(body).toContain("**Latest review:** #9 (2026-03)");
  });
});
