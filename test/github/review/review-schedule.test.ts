import { afterEach, describe, expect, it } from "vitest";
import { repoKeyOf } from "../../../src/core/github/repo-key.js";
import { enqueueValidateConfig } from "../../../src/github/config/validate-config-job.js";
import { REVIEW_LABEL } from "../../../src/github/review/publish-review.js";
import { reviewRunKey } from "../../../src/github/review/review-job.js";
import { JOB_REGISTRY, workerJobsOf } from "../../../src/jobs/job-registry.js";
import { silentLog } from "../../helpers/probot.js";
import {
  type CanaryWorld,
  canaryConfig,
  canaryWorld,
  OWNER,
  REPO,
  runJobs,
} from "../canary/canary-harness.js";

const NOW = new Date("2026-03-01T00:05:00Z");
const REPO_KEY = repoKeyOf(OWNER, REPO);

let world: CanaryWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A repository with a drift issue opened in February, whose dashboard never refreshes. */
async function start(config: string) {
  world = await canaryWorld({ start: NOW, config, merges: [] });
  const w = world;
  await w.store.audit.record({
    at: new Date("2026-02-10T00:00:00Z"),
    actor: "backflow",
    action: "drift.created",
    repo: REPO_KEY,
    target: "f".repeat(64),
    detail: { issue: 41 },
  });
  const registry = workerJobsOf(JOB_REGISTRY, {
    deps: { store: w.store, clock: () => w.now },
    log: silentLog(),
    octokitFor: async () => w.probot.auth(1),
  });
  const validate = async (delivery: string) => {
    await enqueueValidateConfig({
      store: w.store,
      payload: {
        repo: `${OWNER}/${REPO}`,
        installationId: 1,
        actor: "octocat",
        trigger: "installation.created",
      },
      delivery,
      now: w.now,
    });
    return runJobs(w.store, registry, ["validate-config"], () => w.now);
  };
  const runReviews = () => runJobs(w.store, registry, ["review"], () => w.now);
  return { w, validate, runReviews };
}

const reviewJobs = (w: CanaryWorld) => w.store.jobs.list({ kind: "review" });

describe("the review is scheduled by config validation", () => {
  it("gets a review for a repository whose dashboard never refreshes, one run per period however often its config validates", async () => {
    const { w, validate, runReviews } = await start(canaryConfig());
    expect(await validate("install-1")).toBe(1);
    expect(await validate("install-2")).toBe(1);
    const queued = await reviewJobs(w);
    expect(queued.map((j) => [j.idempotencyKey, j.runAt, j.payload])).toEqual([
      [reviewRunKey(REPO_KEY, "2026-02"), NOW, { repo: `${OWNER}/${REPO}`, installationId: 1 }],
    ]);

    expect(await runReviews()).toBe(1);
    const issues = [...w.github.issues.values()].filter((i) => i.labels.includes(REVIEW_LABEL));
    expect(issues.map((i) => i.title)).toEqual(["Backflow monthly review 2026-02"]);
    // The run scheduled the next one; validating again queues nothing more.
    expect(await validate("push-3")).toBe(1);
    expect((await reviewJobs(w)).filter((j) => j.state === "queued").map((j) => j.runAt)).toEqual([
      new Date("2026-04-01T00:00:00Z"),
    ]);
  });

  it("schedules nothing under `review: off`, nor for an invalid config", async () => {
    for (const config of [canaryConfig("review: off\n"), "signals: { thresholds: 7 }\n"]) {
      const { w, validate } = await start(config);
      expect(await validate("install-1")).toBe(1);
      expect(await reviewJobs(w)).toEqual([]);
      await w.close();
      world = undefined;
    }
  });
});
